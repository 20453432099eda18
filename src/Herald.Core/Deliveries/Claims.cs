using Herald.Core.Webhooks;

namespace Herald.Core.Deliveries;

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
    public int AttemptCount { get; init; }
    public int RoundAttempts { get; init; }
    public required byte[] Body { get; init; }

    public string? SigningSecret(long now) => SigningSecrets.Current(Secret, NextSecret, NextSecretAt, now);
}

/// <summary>What a claim asks for: due deliveries for <see cref="Node"/>, oldest first, capped per webhook.</summary>
/// <param name="Node">The claiming node's identity, written as the lease owner.</param>
/// <param name="Now">Unix ms: deliveries due by then, and leases expired by then, are claimable.</param>
/// <param name="LeaseUntil">Unix ms until which the claimed deliveries belong to <see cref="Node"/>.</param>
/// <param name="Limit">At most this many in all.</param>
/// <param name="PerWebhookLimit">At most this many of one webhook, so one backlogged endpoint cannot fill the batch.</param>
/// <param name="ExcludedWebhookIds">Webhooks that cannot take more now.</param>
internal sealed record ClaimRequest(string Node, long Now, long LeaseUntil, int Limit, int PerWebhookLimit, IReadOnlyCollection<string> ExcludedWebhookIds);

/// <summary>What happened to one claimed delivery, written back in batches.</summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="WebhookId">Its webhook.</param>
/// <param name="NewStatus">queued (retry at <paramref name="NextAttemptAt"/>), success, failed or cancelled.</param>
/// <param name="NextAttemptAt">Unix ms of the next attempt when queued.</param>
/// <param name="Attempt">The attempt to append, when one was made.</param>
/// <param name="DisableWebhookReason">When set, the webhook is disabled with this reason and its other queued deliveries cancelled.</param>
internal sealed record DeliveryOutcome(
    string DeliveryId, string WebhookId, string NewStatus, long? NextAttemptAt, DeliveryAttempt? Attempt, string? DisableWebhookReason);
