using Herald.Contracts.Envelope;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Turns records into response bodies; instants use the envelope's <c>created_at</c> format.</summary>
internal static class ApiMapper
{
    public static string Time(long unixMilliseconds) => WebhookTimestamps.FormatCreatedAt(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds));

    public static string? Time(long? unixMilliseconds) => unixMilliseconds is { } value ? Time(value) : null;

    public static OrganizationResponse ToResponse(this OrganizationRecord record) => new(record.Id, record.Name, Time(record.CreatedAt));

    public static AccountResponse ToResponse(this AccountRecord record) => new(record.Id, record.Name, record.OrgId, Time(record.CreatedAt));

    public static WebhookResponse ToResponse(this WebhookRecord record, bool includeSecret = false) => new(
        record.Id, record.AccountId, record.AppId, record.Url, record.Events, record.AllEvents, record.Status, record.DisabledReason,
        record.Description, Time(record.CreatedAt), Time(record.UpdatedAt),
        Secret: includeSecret ? record.Secret : null,
        HasSecret: record.Secret is not null);

    public static AttemptResponse ToResponse(this AttemptRecord record) => new(
        record.Number, Time(record.StartedAt), record.DurationMs, record.StatusCode, record.Error, record.ResponseBody);

    public static DeliveryResponse ToResponse(this DeliveryRecord record, IReadOnlyList<AttemptRecord>? attempts = null) => new(
        record.Id, record.EventId, record.EventName, record.WebhookId, record.EventAccountId, record.Status, record.AttemptCount,
        record.Status == DeliveryStatus.Queued ? Time(record.NextAttemptAt) : null,
        record.Retriggered, record.LastStatusCode, record.LastError, Time(record.CreatedAt), Time(record.UpdatedAt),
        attempts?.Select(a => a.ToResponse()).ToList());

    public static ConnectionResponse ToResponse(this ConnectionRecord record) => new(
        record.AccountId, record.AppId, record.OrgId, record.Status, Time(record.CreatedAt), Time(record.UpdatedAt));

    public static ListResponse<TOut> ToList<TIn, TOut>(this PagedList<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.HasMore);
}
