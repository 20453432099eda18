using Herald.Core.Tenants;

namespace Herald.Core.Webhooks;

/// <summary>What a change to a webhook does to its queued deliveries.</summary>
internal enum QueuedDeliveries
{
    /// <summary>Nothing.</summary>
    Keep,

    /// <summary>Cancel them (the webhook was disabled by hand).</summary>
    Cancel,

    /// <summary>Make the paused ones (kept while it was disabled automatically) due now.</summary>
    Resume,
}

/// <summary>Webhooks of accounts and of partner apps. Deleted webhooks are hidden, never removed, so their log stays readable.</summary>
internal interface IWebhookStore
{
    Task CreateAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<Webhook?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    /// <summary>How many webhooks (not deleted) one owner has: an account (<see cref="OwnerScope.Account"/>) or an app (<see cref="OwnerScope.App"/>).</summary>
    Task<int> CountAsync(OwnerScope owner, CancellationToken cancellationToken);

    Task<PagedList<Webhook>> ListAsync(OwnerScope scope, Page page, CancellationToken cancellationToken);

    /// <summary>Saves every field and, in the same transaction, does <paramref name="queued"/> to its queued deliveries.</summary>
    Task UpdateAsync(Webhook webhook, QueuedDeliveries queued, CancellationToken cancellationToken);

    /// <summary>Hides the webhook (status DISABLED, reason "deleted") and cancels its queued deliveries, in one transaction.</summary>
    Task<bool> DeleteAsync(string id, OwnerScope scope, long now, CancellationToken cancellationToken);

    /// <summary>
    /// For each of <paramref name="accountIds"/>, the enabled, undeleted webhooks its events may reach: the account's own
    /// and those of every app with an ACTIVE connection to it, in one query. Which of them subscribe is decided by the
    /// caller (<see cref="Webhook.Subscribes"/>).
    /// </summary>
    Task<ILookup<string, Webhook>> GetAccountEventTargetsAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken);

    /// <summary>The enabled, undeleted webhooks of a partner app.</summary>
    Task<IReadOnlyList<Webhook>> GetAppWebhooksAsync(string appId, CancellationToken cancellationToken);
}
