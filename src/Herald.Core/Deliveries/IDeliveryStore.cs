using Herald.Core.Tenants;

namespace Herald.Core.Deliveries;

/// <summary>Deliveries and their attempts: the engine's claims and outcomes, and the searchable log.</summary>
internal interface IDeliveryStore
{
    /// <summary>Leases due deliveries to the claiming node (see <see cref="ClaimRequest"/>).</summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>Gives leased deliveries back untouched so they can be claimed at once.</summary>
    Task ReleaseAsync(IReadOnlyCollection<string> deliveryIds, string node, CancellationToken cancellationToken);

    /// <summary>
    /// Appends attempts and moves deliveries on, in one transaction. A delivery no longer queued (cancelled meanwhile)
    /// keeps its status. An outcome with <see cref="DeliveryOutcome.DisableWebhookReason"/> disables its webhook and
    /// cancels the webhook's other queued deliveries.
    /// </summary>
    Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken);

    /// <summary>A delivery and its attempts read from one snapshot, so the two always agree.</summary>
    Task<(Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)?> GetWithAttemptsAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<IReadOnlyList<Delivery>> GetManyAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken);

    /// <summary>The deliveries among <paramref name="ids"/> within <paramref name="scope"/>, each with whether its webhook is enabled, in one query.</summary>
    Task<IReadOnlyList<DeliveryWithWebhookState>> GetWithWebhookStateAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<Delivery>> ListAsync(OwnerScope scope, DeliveryFilter filter, Page page, CancellationToken cancellationToken);

    /// <summary>
    /// Attempts started in the query's range, within <paramref name="scope"/> (and of one webhook when it names one),
    /// grouped by bucket, <see cref="AttemptOutcome"/> and latency class (<see cref="DeliveryStats.LatencyBounds"/>).
    /// </summary>
    Task<IReadOnlyList<AttemptStatsRow>> GetAttemptStatsAsync(OwnerScope scope, AttemptStatsQuery query, CancellationToken cancellationToken);

    /// <summary>Queues deliveries again, due now (so behind what is already due), for a fresh round of retries.</summary>
    Task RetriggerAsync(IReadOnlyCollection<string> deliveryIds, long now, CancellationToken cancellationToken);
}
