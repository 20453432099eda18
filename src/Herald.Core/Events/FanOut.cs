using Herald.Core.Deliveries;
using Herald.Core.Webhooks;

namespace Herald.Core.Events;

/// <summary>
/// Which webhooks receive an event. An account event goes to the account's enabled webhooks subscribed to its name and
/// to the enabled, subscribed webhooks of every app the account actively authorizes (one partner subscription covers
/// all authorizing accounts); a partner event goes only to its app's webhooks.
/// </summary>
internal static class FanOut
{
    /// <summary>One queued delivery per candidate that is enabled and subscribes to the event's name.</summary>
    /// <param name="stored">The event.</param>
    /// <param name="candidates">The webhooks the event may reach (see <see cref="IWebhookStore.GetAccountEventTargetsAsync"/>).</param>
    public static IReadOnlyList<NewDelivery> Deliveries(StoredEvent stored, IEnumerable<Webhook> candidates)
    {
        List<NewDelivery>? deliveries = null;
        foreach (var webhook in candidates)
        {
            if (webhook.IsEnabled && webhook.Subscribes(stored.Name))
            {
                (deliveries ??= []).Add(new NewDelivery(Ids.New(Ids.Delivery), stored.Id, stored.Name, webhook.Id, webhook.AccountId, webhook.AppId, stored.AccountId));
            }
        }

        return deliveries ?? (IReadOnlyList<NewDelivery>)[];
    }
}
