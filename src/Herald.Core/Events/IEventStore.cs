using Herald.Core.Tenants;

namespace Herald.Core.Events;

/// <summary>Events and, written with them, their deliveries.</summary>
internal interface IEventStore
{
    /// <summary>
    /// Stores events and their deliveries in one transaction. An id already stored yields the stored event
    /// (<c>Created = false</c>, its pending deliveries dropped); when its content hash differs, nothing is written and
    /// the index of the first conflicting event is returned.
    /// </summary>
    Task<StoreEventsResult> StoreAsync(IReadOnlyList<PendingEvent> events, long now, CancellationToken cancellationToken);

    Task<StoredEvent?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<StoredEvent>> ListAsync(OwnerScope scope, EventFilter filter, Page page, CancellationToken cancellationToken);
}
