using Herald.Core.Retention;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Storage;

/// <summary>The log keeps the retention period: older events go with their deliveries and attempts, unless still being delivered.</summary>
public sealed class RetentionTests : ServerWithReceiverTest
{
    protected override IDictionary<string, string?> ServerSettings => new Dictionary<string, string?>
    {
        ["Herald:Retention:Period"] = "30.00:00:00",
        ["Herald:Retention:BatchSize"] = "3",
        ["Herald:Retention:Interval"] = "40.00:00:00", // longer than the month the test skips: it sweeps by hand
        ["Herald:Retention:PauseBetweenBatches"] = "00:00:00",
        ["Herald:Delivery:AutoDisableAfter"] = "00:00:00",
    };

    [Fact]
    public async Task A_sweep_removes_events_older_than_the_period_with_their_deliveries_and_attempts_but_keeps_what_is_still_queued()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/ok"), "payment_intent.succeeded");
        var failing = await Server.CreateWebhookAsync(account, Receiver.Url("/down"), "refund.received");
        Receiver.Respond = r => r.Path == "/down" ? new ReceiverResponse(500) : ReceiverResponse.Ok;
        for (var i = 0; i < 7; i++)
        {
            await Server.PublishAsync(account, id: $"evt_old_{i}");
        }

        await Server.PublishAsync(account, "refund.received", id: "evt_old_still_retrying");
        await Receiver.WaitUntilAsync(r => r.Count >= 8);
        await Server.WaitForIdleAsync();

        // A month and a day later one fresh event arrives; the old one still retrying keeps failing in between.
        await Server.PostAsync($"/api/v1/webhooks/{failing["id"]}/update", new System.Text.Json.Nodes.JsonObject { ["url"] = Receiver.Url("/down") });
        Server.Time!.Advance(TimeSpan.FromDays(31));
        await Server.PublishAsync(account, id: "evt_fresh");
        var purged = await Server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        var events = (await Server.GetAsync("/api/v1/events?page_size=100"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).ToList();
        var retention = await Server.GetAsync("/api/v1/retention");

        Assert.Equal(7, purged.Events);
        Assert.Equal(7, purged.Deliveries);
        Assert.Equal(7, purged.Attempts);
        Assert.Equal(["evt_fresh", "evt_old_still_retrying"], events.Order(StringComparer.Ordinal));
        Assert.Empty(await Server.DeliveriesAsync("?event_id=evt_old_0"));
        Assert.Equal(30, retention["period_days"]!.GetValue<int>());
        Assert.Equal("2026-05-21T13:54:20+0000", retention["kept_since"]!.GetValue<string>());
    }
}
