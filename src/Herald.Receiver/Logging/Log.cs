using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Logging;

/// <summary>Source-generated log messages. Never log secrets, signatures or bodies.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Webhook rejected from {RemoteAddress}: {Status}")]
    public static partial void Rejected(ILogger logger, string? remoteAddress, WebhookVerificationStatus status);

    [LoggerMessage(2, LogLevel.Warning, "Webhook from {RemoteAddress} rejected: source address not in AllowedSourceNetworks")]
    public static partial void SourceNotAllowed(ILogger logger, string? remoteAddress);

    [LoggerMessage(3, LogLevel.Debug, "Webhook {EventId} ({EventName}) written to the inbox")]
    public static partial void Accepted(ILogger logger, string eventId, string eventName);

    [LoggerMessage(4, LogLevel.Debug, "Webhook {EventId} ({EventName}) is a duplicate; acknowledged without processing again")]
    public static partial void Duplicate(ILogger logger, string eventId, string eventName);

    [LoggerMessage(5, LogLevel.Error, "The inbox could not store webhook {EventId}; answered 503 so the sender retries")]
    public static partial void InboxWriteFailed(ILogger logger, Exception exception, string eventId);

    [LoggerMessage(6, LogLevel.Warning, "Webhook body from {RemoteAddress} is not an event envelope")]
    public static partial void NotAnEnvelope(ILogger logger, string? remoteAddress);

    [LoggerMessage(7, LogLevel.Debug, "Event {EventId} ({EventName}) processed on try {Attempt}")]
    public static partial void Processed(ILogger logger, string eventId, string eventName, int attempt);

    [LoggerMessage(8, LogLevel.Warning, "Event {EventId} ({EventName}) failed on try {Attempt}; next try in {Delay}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string eventId, string eventName, int attempt, TimeSpan delay);

    [LoggerMessage(9, LogLevel.Error, "Event {EventId} ({EventName}) parked after {Attempt} tries; requeue it with IWebhookInbox.RequeueAsync once fixed")]
    public static partial void Parked(ILogger logger, Exception exception, string eventId, string eventName, int attempt);

    [LoggerMessage(10, LogLevel.Warning, "Event {EventId}: this worker's claim was lost before its completion committed (it expired, was taken over or requeued); rolled back, the event runs again under its current claim")]
    public static partial void LeaseLost(ILogger logger, string eventId);

    [LoggerMessage(11, LogLevel.Error, "The inbox could not be read; retrying")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Error, "Could not record the outcome of event {EventId}; its lease will expire and it will be tried again")]
    public static partial void OutcomeNotRecorded(ILogger logger, Exception exception, string eventId);

    [LoggerMessage(13, LogLevel.Information, "Partner connection disconnected: {Count} id(s) marked inactive by event {EventId} (reason {Reason})")]
    public static partial void PartnerDisconnected(ILogger logger, int count, string eventId, string? reason);

    [LoggerMessage(14, LogLevel.Information, "Inbox schema migrated: applied version(s) {Versions}; now at version {Version}")]
    public static partial void SchemaMigrated(ILogger logger, string versions, int version);

    [LoggerMessage(15, LogLevel.Warning, "The inbox schema has version(s) {Versions} that this Herald.Receiver does not know (a newer release migrated it); continuing")]
    public static partial void SchemaNewerThanLibrary(ILogger logger, string versions);

    [LoggerMessage(16, LogLevel.Warning, "Writing a group of {Count} webhooks to the inbox failed; writing them one by one")]
    public static partial void GroupWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(17, LogLevel.Warning, "Event {EventId}: the claim ran out before it could be renewed (the process stalled or the inbox was unreachable for a whole LeaseDuration); stopping the handler, it cannot commit")]
    public static partial void LeaseExpired(ILogger logger, string eventId);

    [LoggerMessage(18, LogLevel.Warning, "Event {EventId}: renewing the claim failed; trying again before it runs out")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string eventId);

    [LoggerMessage(19, LogLevel.Warning, "Event {EventId}: the claim is no longer this worker's (taken over or requeued); stopping the handler, it cannot commit")]
    public static partial void LeaseTakenOver(ILogger logger, string eventId);

    [LoggerMessage(20, LogLevel.Information, "Event {EventId} was claimed again while its earlier run in this process is still going; it starts when that run ends")]
    public static partial void WaitingForEarlierRun(ILogger logger, string eventId);

    [LoggerMessage(21, LogLevel.Warning, "Event {EventId}: skipped {Count} partner id(s) that cannot be ids (empty, over 256 characters or with control characters)")]
    public static partial void UnusableIdsSkipped(ILogger logger, string eventId, int count);
}
