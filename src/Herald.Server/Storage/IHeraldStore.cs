namespace Herald.Server.Storage;

/// <summary>
/// Everything Herald keeps. One implementation per database (SQLite by default, PostgreSQL for production);
/// all instants are Unix milliseconds. Tenant reads take an <see cref="OwnerScope"/> so another tenant's
/// object is indistinguishable from a missing one.
/// </summary>
internal interface IHeraldStore : IPartnerStore
{
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    Task CreateOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken);

    Task<OrganizationRecord?> GetOrganizationAsync(string id, CancellationToken cancellationToken);

    Task CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken);

    Task<AccountRecord?> GetAccountAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<AccountRecord>> ListAccountsAsync(OwnerScope scope, Page page, CancellationToken cancellationToken);

    Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken);

    Task CreateWebhookAsync(WebhookRecord webhook, CancellationToken cancellationToken);

    Task<WebhookRecord?> GetWebhookAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<WebhookRecord>> ListWebhooksAsync(OwnerScope scope, Page page, CancellationToken cancellationToken);

    /// <summary>Saves changed fields; a webhook that becomes disabled has its queued deliveries cancelled in the same transaction.</summary>
    Task UpdateWebhookAsync(WebhookRecord webhook, CancellationToken cancellationToken);

    /// <summary>Deletes (hides) a webhook and cancels its queued deliveries; its delivery log stays.</summary>
    Task<bool> DeleteWebhookAsync(string id, OwnerScope scope, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores events and fans each one out to its subscribed, enabled webhooks in one transaction. An id already
    /// stored yields the stored event (<c>Created = false</c>); when its content hash differs nothing is written
    /// and the index of the first conflicting event is returned.
    /// </summary>
    Task<StoreEventsOutcome> StoreEventsAsync(IReadOnlyList<EventRecord> events, long now, CancellationToken cancellationToken);

    Task<EventRecord?> GetEventAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<EventRecord>> ListEventsAsync(OwnerScope scope, EventFilter filter, Page page, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> due deliveries to <paramref name="node"/>, oldest due first, at most
    /// <paramref name="perWebhookLimit"/> per webhook, none of <paramref name="excludedWebhookIds"/>.
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(
        string node, long now, long leaseUntil, int limit, int perWebhookLimit, IReadOnlyCollection<string> excludedWebhookIds, CancellationToken cancellationToken);

    /// <summary>Gives leased deliveries back untouched so they can be claimed at once.</summary>
    Task ReleaseAsync(IReadOnlyCollection<string> deliveryIds, string node, CancellationToken cancellationToken);

    /// <summary>Appends attempts and moves deliveries on, in one transaction.</summary>
    Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken);

    /// <summary>A delivery and its attempts read from one snapshot, so the two always agree.</summary>
    Task<(DeliveryRecord Delivery, IReadOnlyList<AttemptRecord> Attempts)?> GetDeliveryWithAttemptsAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<DeliveryRecord>> ListDeliveriesAsync(OwnerScope scope, DeliveryFilter filter, Page page, CancellationToken cancellationToken);

    /// <summary>Queues deliveries again, due now (so behind what is already due), for a fresh round of retries.</summary>
    Task RetriggerAsync(IReadOnlyCollection<string> deliveryIds, long now, CancellationToken cancellationToken);
}

internal sealed record StoreEventsOutcome(IReadOnlyList<StoreEventResult> Results, int? ConflictIndex);
