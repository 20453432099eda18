using Herald.Contracts.Events;
using Herald.Core.Accounts;
using Herald.Core.Tenants;

namespace Herald.Core.Events;

/// <summary>Reading events as tenants see them: the envelopes exactly as endpoints receive them.</summary>
internal sealed class EventLog(IEventStore store, TenantResolver tenants)
{
    public async Task<PagedList<StoredEvent>> ListAsync(Caller caller, string? accountId, EventFilter filter, Page page, CancellationToken cancellationToken)
    {
        if (filter.Name is { } name && !EventCatalog.Contains(name))
        {
            throw HeraldException.Validation($"Unknown event name '{name}'; GET /api/v1/event_types lists the accepted names.", "name");
        }

        if (filter.FromCreatedAt > filter.ToCreatedAt)
        {
            throw HeraldException.Validation("from_created_at must not be after to_created_at.", "from_created_at");
        }

        var scope = await tenants.ResolveScopeAsync(caller, accountId, cancellationToken);
        return await store.ListAsync(scope, filter, page, cancellationToken);
    }

    public async Task<StoredEvent> GetAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, caller.Scope, cancellationToken) ?? throw HeraldException.NotFound($"No event {id}.", "id");
}
