using Herald.Contracts.Events;
using Herald.Core.Events;
using Herald.Core.Webhooks;

namespace Herald.Core.Tests.Events;

public sealed class FanOutTests
{
    private static readonly StoredEvent Succeeded = Event("payment_intent.succeeded", accountId: "acct_1");

    private static StoredEvent Event(string name, string? accountId = null, string? appId = null) =>
        new() { Id = "evt_1", Name = name, AccountId = accountId, AppId = appId, ContentHash = [], Body = [] };

    private static Webhook Hook(string id, string[]? events = null, bool enabled = true, string? accountId = "acct_1", string? appId = null) => new()
    {
        Id = id,
        AccountId = accountId,
        AppId = appId,
        Url = "https://example.com/" + id,
        Events = events ?? [],
        AllEvents = events is null,
        Status = enabled ? WebhookStatus.Enabled : WebhookStatus.Disabled,
    };

    [Fact]
    public void An_event_goes_to_every_enabled_webhook_subscribed_to_its_name_and_to_no_other()
    {
        var deliveries = FanOut.Deliveries(Succeeded,
        [
            Hook("wh_subscribed", ["payment_intent.succeeded", "refund.failed"]),
            Hook("wh_all"),
            Hook("wh_other_name", ["payment_intent.created"]),
            Hook("wh_disabled", ["payment_intent.succeeded"], enabled: false),
            Hook("wh_app", ["payment_intent.succeeded"], accountId: null, appId: "appid_1"),
        ]);

        Assert.Equal(["wh_subscribed", "wh_all", "wh_app"], deliveries.Select(d => d.WebhookId));
        Assert.All(deliveries, d => Assert.Equal("acct_1", d.EventAccountId));
        Assert.Equal("appid_1", deliveries.Single(d => d.WebhookId == "wh_app").AppId);
        Assert.Equal(3, deliveries.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void All_events_covers_the_partner_event_only_for_app_webhooks()
    {
        var disconnected = Event(EventCatalog.PartnerConnectionDisconnected, appId: "appid_1");

        var deliveries = FanOut.Deliveries(disconnected, [Hook("wh_account_all"), Hook("wh_app_all", accountId: null, appId: "appid_1")]);

        Assert.Equal(["wh_app_all"], deliveries.Select(d => d.WebhookId));
        Assert.Null(deliveries[0].EventAccountId);
    }

    [Fact]
    public void An_event_nobody_subscribes_to_makes_no_delivery()
    {
        Assert.Empty(FanOut.Deliveries(Succeeded, [Hook("wh_refunds", ["refund.received"])]));
    }
}
