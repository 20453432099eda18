using Herald.Core.Tenants;

namespace Herald.Core.Webhooks;

/// <summary>Webhooks of accounts and of partner apps. Deleted webhooks are hidden, never removed, so their log stays readable.</summary>
internal interface IWebhookStore
{
    Task CreateAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<Webhook?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    /// <summary>How many webhooks (not deleted) one owner has: an account (<see cref="OwnerScope.Account"/>) or an app (<see cref="OwnerScope.App"/>).</summary>
    Task<int> CountAsync(OwnerScope owner, CancellationToken cancellationToken);

    Task<PagedList<Webhook>> ListAsync(OwnerScope scope, Page page, CancellationToken cancellationToken);

    /// <summary>Saves every field; with <paramref name="cancelQueuedDeliveries"/>, its queued deliveries are cancelled in the same transaction.</summary>
    Task UpdateAsync(Webhook webhook, bool cancelQueuedDeliveries, CancellationToken cancellationToken);

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
