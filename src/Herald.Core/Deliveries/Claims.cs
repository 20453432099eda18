using Herald.Core.Webhooks;

namespace Herald.Core.Deliveries;

/// <summary>
/// A delivery fan-out makes when an event is stored: queued and due at once. When this node's dispatcher took it at
/// once (<see cref="IDeliveryHandOff"/>), it is written already leased, so no claim is needed to send it.
/// </summary>
internal sealed record NewDelivery(string Id, string EventId, string EventName, string WebhookId, string? AccountId, string? AppId, string? EventAccountId)
{
    public DeliveryLease? Lease { get; init; }

    /// <summary>When the first attempt is due (Unix ms), if not at once: its endpoint's circuit is open until then.</summary>
    public long? NotBefore { get; init; }
}

/// <summary>A node's hold on a delivery: who, which claim (the token), until when (Unix ms).</summary>
internal sealed record DeliveryLease(string Node, long Token, long ExpiresAt);

/// <summary>A delivery this node has leased, with what it needs to send it.</summary>
internal sealed record ClaimedDelivery
{
    public required string DeliveryId { get; init; }
    public required string EventId { get; init; }
    public required string WebhookId { get; init; }
    public required string Url { get; init; }
    public string? Secret { get; init; }
    public string? NextSecret { get; init; }
    public long? NextSecretAt { get; init; }

    /// <summary>The webhook's status when claimed: ENABLED, DISABLED, or DELETED.</summary>
    public required string WebhookStatus { get; init; }

    /// <summary>Since when the webhook has failed without a success in between (Unix ms), if it is failing.</summary>
    public long? WebhookFailingSince { get; init; }
    public int AttemptCount { get; init; }
    public int RoundAttempts { get; init; }
    public required byte[] Body { get; init; }

    /// <summary>The claim this node holds it under; its outcome is written only while the lease is still this one.</summary>
    public long LeaseToken { get; init; }

    /// <summary>The W3C <c>traceparent</c> of its event's ingest span: the parent of the attempt's span.</summary>
    public string? TraceParent { get; init; }

    public string? SigningSecret(long now) => SigningSecrets.Current(Secret, NextSecret, NextSecretAt, now);
}

/// <summary>What a claim asks for: due deliveries for <see cref="Node"/>, oldest first, capped per webhook.</summary>
/// <param name="Node">The claiming node's identity, written as the lease owner.</param>
/// <param name="Token">This claim's lease token, written on every delivery it takes.</param>
/// <param name="Now">Unix ms: deliveries due by then, and leases expired by then, are claimable.</param>
/// <param name="LeaseUntil">Unix ms until which the claimed deliveries belong to <see cref="Node"/>.</param>
/// <param name="Limit">At most this many in all.</param>
/// <param name="PerWebhookLimit">At most this many of one webhook, so one backlogged endpoint cannot fill the batch.</param>
/// <param name="ExcludedWebhookIds">Webhooks that cannot take more now (full, paused or with an open circuit).</param>
/// <param name="TakeOverExpiredLeases">Also take deliveries whose lease ran out (a dead node's); off just after a database outage, while the live nodes write what they hold.</param>
internal sealed record ClaimRequest(
    string Node, long Token, long Now, long LeaseUntil, int Limit, int PerWebhookLimit, IReadOnlyCollection<string> ExcludedWebhookIds, bool TakeOverExpiredLeases = true);

/// <summary>What an attempt says about its endpoint's health, recorded on the webhook.</summary>
internal enum EndpointHealth
{
    /// <summary>No attempt was made.</summary>
    Unknown,

    /// <summary>The endpoint took the delivery: it is not failing (clears <c>failing_since</c>).</summary>
    Healthy,

    /// <summary>The attempt failed: the endpoint is failing since this attempt unless it already was.</summary>
    Failing,
}

/// <summary>Disabling a webhook as an outcome's consequence.</summary>
/// <param name="Reason">Recorded and shown as <c>disabled_reason</c>.</param>
/// <param name="CancelQueued">Cancel its other queued deliveries (410 Gone) or keep them paused for a re-enable (auto-disable).</param>
internal sealed record WebhookDisable(string Reason, bool CancelQueued);

/// <summary>What happened to one claimed delivery, written back in batches.</summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="WebhookId">Its webhook.</param>
/// <param name="LeaseToken">The lease it was sent under; the delivery moves on only if it still holds it.</param>
/// <param name="NewStatus">queued (retry at <paramref name="NextAttemptAt"/>), success, failed or cancelled.</param>
/// <param name="NextAttemptAt">Unix ms of the next attempt when queued.</param>
/// <param name="Attempt">The attempt to append, when one was made.</param>
/// <param name="Endpoint">What the attempt says about the endpoint's health.</param>
/// <param name="Disable">When set, the webhook is disabled as a consequence.</param>
internal sealed record DeliveryOutcome(
    string DeliveryId, string WebhookId, long LeaseToken, string NewStatus, long? NextAttemptAt, DeliveryAttempt? Attempt,
    EndpointHealth Endpoint = EndpointHealth.Unknown, WebhookDisable? Disable = null);
