using Herald.Core.Tenants;

namespace Herald.Core.Deliveries;

/// <summary>Deliveries and their attempts: the engine's claims and outcomes, and the searchable log.</summary>
internal interface IDeliveryStore
{
    /// <summary>Leases due deliveries to the claiming node (see <see cref="ClaimRequest"/>).</summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Gives leased deliveries back (where this node's claim still holds them) so they can be claimed again: at once, or
    /// not before <paramref name="notBefore"/> (Unix ms) when their endpoint's circuit is open until then.
    /// </summary>
    Task ReleaseAsync(IReadOnlyCollection<ClaimedDelivery> deliveries, string node, long? notBefore, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: moves each delivery on where it is still queued under the outcome's lease (one cancelled
    /// meanwhile keeps its status; one whose lease another claim took keeps that claim's), appends every attempt made
    /// (it happened either way), records each webhook's health (<see cref="DeliveryOutcome.Endpoint"/>) and applies
    /// <see cref="DeliveryOutcome.Disable"/>.
    /// </summary>
    Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Extends leases still held (same token, still queued) to <paramref name="until"/>: for outcomes that wait to be
    /// written, so another node does not take and send their deliveries again meanwhile.
    /// </summary>
    Task ExtendLeasesAsync(IReadOnlyCollection<(string DeliveryId, long LeaseToken)> leases, long until, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the webhook's due, unleased queued deliveries to <paramref name="until"/> (its circuit is open): they wait
    /// without spending their retry budget, and claims stop walking past them.
    /// </summary>
    Task DeferAsync(string webhookId, long now, long until, CancellationToken cancellationToken);

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
