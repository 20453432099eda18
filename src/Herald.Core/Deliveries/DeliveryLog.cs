using Herald.Core.Accounts;
using Herald.Core.Tenants;
using Herald.Internal;

namespace Herald.Core.Deliveries;

/// <summary>The delivery log as tenants see it: search, inspect attempts, retrigger.</summary>
internal sealed class DeliveryLog(IDeliveryStore store, TenantResolver tenants, IDeliveryHandOff handOff, WakeSignal dispatch, TimeProvider time)
{
    public const int MaxRetrigger = 50;

    public async Task<PagedList<Delivery>> ListAsync(Caller caller, string? accountId, DeliveryFilter filter, Page page, CancellationToken cancellationToken)
    {
        if (filter.Status is { } status && !DeliveryStatus.IsKnown(status))
        {
            throw HeraldException.Validation("status must be one of queued, success, failed, cancelled.", "status");
        }

        if (filter.FromCreatedAt > filter.ToCreatedAt)
        {
            throw HeraldException.Validation("from_created_at must not be after to_created_at.", "from_created_at");
        }

        var scope = await tenants.ResolveScopeAsync(caller, accountId, cancellationToken);
        return await store.ListAsync(scope, filter, page, cancellationToken);
    }

    public async Task<(Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)> GetAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await store.GetWithAttemptsAsync(id, caller.Scope, cancellationToken) ?? throw HeraldException.NotFound($"No delivery {id}.", "id");

    /// <summary>
    /// Queues the deliveries again for a fresh round of retries. All or nothing: every id must be the caller's and its
    /// webhook enabled, else nothing is queued.
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> RetriggerAsync(Caller caller, IReadOnlyList<string?>? ids, CancellationToken cancellationToken)
    {
        if (ids is not { Count: > 0 } || ids.Count > MaxRetrigger)
        {
            throw HeraldException.Validation($"ids is required: 1 to {MaxRetrigger} delivery ids.", "ids");
        }

        var nullIndex = ids.ToList().FindIndex(string.IsNullOrEmpty);
        if (nullIndex >= 0)
        {
            throw HeraldException.Validation("Each id must be a non-empty delivery id.", $"ids[{nullIndex}]");
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).Select(id => id!).ToList();
        var found = (await store.GetWithWebhookStateAsync(distinct, caller.Scope, cancellationToken)).ToDictionary(d => d.Delivery.Id, StringComparer.Ordinal);
        foreach (var id in distinct)
        {
            if (!found.TryGetValue(id, out var delivery))
            {
                throw HeraldException.NotFound($"No delivery {id}.", $"ids[{IndexOf(ids, id)}]");
            }

            if (!delivery.WebhookEnabled)
            {
                throw HeraldException.Validation(
                    $"Delivery {id} belongs to webhook {delivery.Delivery.WebhookId}, which is disabled or deleted; enable it before retriggering.",
                    $"ids[{IndexOf(ids, id)}]");
            }
        }

        await store.RetriggerAsync(distinct, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);

        // Read before waking the dispatcher: the answer shows what the retrigger did (queued at once), not whatever the
        // first new attempt has already made of it.
        var retriggered = await store.GetManyAsync(distinct, caller.Scope, cancellationToken);
        foreach (var webhookId in found.Values.Select(d => d.Delivery.WebhookId).Distinct(StringComparer.Ordinal))
        {
            handOff.ProbeNow(webhookId);
        }

        dispatch.Notify();
        return retriggered;
    }

    private static int IndexOf(IReadOnlyList<string?> ids, string id)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }

        return -1;
    }
}
