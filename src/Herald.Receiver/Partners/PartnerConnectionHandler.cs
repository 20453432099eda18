using Herald.Receiver.Events;
using Herald.Receiver.Inbox;
using Herald.Receiver.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Receiver.Partners;

/// <summary>
/// The built-in handler of <c>partner_connection.disconnected</c>: marks every <c>account_ids</c> entry and the
/// <c>org_id</c> (when present) inactive in the event's transaction, then calls the registered notifiers.
/// </summary>
internal sealed class PartnerConnectionHandler(
    IEnumerable<IPartnerDisconnectionNotifier> notifiers,
    IOptions<HeraldReceiverOptions> options,
    TimeProvider timeProvider,
    ILogger<PartnerConnectionHandler> logger) : IWebhookHandler<PartnerConnectionDisconnected>
{
    public async Task HandleAsync(PartnerConnectionDisconnected webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        var ids = new List<string>(webhookEvent.AccountIds);
        if (webhookEvent.OrgId is { Length: > 0 } orgId)
        {
            ids.Add(orgId);
        }

        // An id no database could key on (NUL, over-long) is not a real account: skip it rather than fail the event forever.
        var unusable = ids.RemoveAll(id => !InboxText.IsKey(id));
        if (unusable > 0)
        {
            Log.UnusableIdsSkipped(logger, webhookEvent.Id, unusable);
        }

        // An event without created_at counts as happening now: it still wins over older connections.
        // created_at has whole-second precision, so the disconnection counts from the end of its second: a
        // connection recorded earlier within that same second is not mistaken for a later reconnection.
        var changedAt = webhookEvent.CreatedAt is { } createdAt
            ? createdAt.ToUnixTimeMilliseconds() + 999
            : timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await PartnerConnectionStore.MarkDisconnectedAsync(context.Connection, context.Transaction, ids, webhookEvent.AppId, changedAt, webhookEvent.Reason, webhookEvent.Id, cancellationToken).ConfigureAwait(false);
        Log.PartnerDisconnected(logger, ids.Count, webhookEvent.Id, webhookEvent.Reason);

        var notice = new PartnerDisconnectionNotice(
            webhookEvent.Id,
            webhookEvent.AppId,
            webhookEvent.AccountIds,
            webhookEvent.OrgId,
            webhookEvent.Reason,
            webhookEvent.CreatedAt,
            options.Value.PartnerReconnectUrl);
        foreach (var notifier in notifiers)
        {
            await notifier.NotifyAsync(notice, cancellationToken).ConfigureAwait(false);
        }
    }
}
