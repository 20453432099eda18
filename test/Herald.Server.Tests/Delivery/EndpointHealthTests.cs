using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>Endpoints that fail step aside without spending their deliveries' retries, and heal: on the fake clock.</summary>
public sealed class EndpointHealthTests : ServerWithReceiverTest
{
    protected override IDictionary<string, string?> ServerSettings => new Dictionary<string, string?>
    {
        ["Herald:Delivery:InitialConcurrencyPerEndpoint"] = "1",
        ["Herald:Delivery:MaxConcurrencyPerEndpoint"] = "1",
        ["Herald:Delivery:CircuitBreakerThreshold"] = "3",
        ["Herald:Delivery:CircuitBreakDuration"] = "00:00:30",
        ["Herald:Delivery:AutoDisableAfter"] = "00:30:00",
        ["Herald:Delivery:RetrySchedule:0"] = "00:10:00",
        ["Herald:Delivery:RetrySchedule:1"] = "00:10:00",
        ["Herald:Delivery:RetrySchedule:2"] = "00:10:00",
        ["Herald:Delivery:RetrySchedule:3"] = "00:10:00",
        ["Herald:Delivery:RetrySchedule:4"] = "00:10:00",
        ["Herald:Delivery:Jitter"] = "0",
    };

    private async Task<List<JsonObject>> DeliveriesOfAsync(string webhookId) =>
        [.. (await Server.DeliveriesAsync($"?webhook_id={webhookId}")).Select(d => Server.GetAsync($"/api/v1/deliveries/{d!["id"]}").Result)];

    [Fact]
    public async Task After_three_failures_in_a_row_the_circuit_opens_the_rest_wait_unspent_and_one_probe_resumes_delivery()
    {
        var held = new TaskCompletionSource();
        Receiver.Respond = _ => new ReceiverResponse(500, Until: held.Task);
        var account = await Server.CreateAccountAsync();
        var webhook = (await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded"))["id"]!.GetValue<string>();
        for (var i = 0; i < 6; i++)
        {
            await Server.PublishAsync(account, id: $"evt_breaker_{i}");
        }

        // Three failures in a row (one at a time: the limit is 1) open the circuit; nothing else is attempted.
        held.SetResult();
        await Receiver.WaitUntilAsync(r => r.Count >= 3);
        await Server.WaitForIdleAsync();
        var deliveries = await DeliveriesOfAsync(webhook);
        Assert.Equal(3, Receiver.Requests.Count);
        Assert.Equal(3, deliveries.Count(d => HeraldTestServer.AttemptCount(d) == 1));
        Assert.Equal(3, deliveries.Count(d => HeraldTestServer.AttemptCount(d) == 0 && d["status"]!.GetValue<string>() == "queued"));

        // After the break one probe goes out; it succeeds, the circuit closes and everything due is delivered.
        Receiver.Respond = _ => ReceiverResponse.Ok;
        Server.Advance(TimeSpan.FromSeconds(30));
        await Receiver.WaitUntilAsync(r => r.Count >= 6);
        await Server.WaitForIdleAsync();
        deliveries = await DeliveriesOfAsync(webhook);
        Assert.Equal(3, deliveries.Count(d => d["status"]!.GetValue<string>() == "success" && HeraldTestServer.AttemptCount(d) == 1));
        Assert.Equal(3, deliveries.Count(d => d["status"]!.GetValue<string>() == "queued" && HeraldTestServer.AttemptCount(d) == 1)); // their retry is 10 min on
        Assert.Equal(6, Receiver.Requests.Count);
    }

    [Fact]
    public async Task A_webhook_failing_for_the_auto_disable_period_is_disabled_with_its_queue_paused_and_enabling_it_resumes_delivery()
    {
        Receiver.Respond = _ => new ReceiverResponse(500);
        var account = await Server.CreateAccountAsync();
        var webhook = (await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded"))["id"]!.GetValue<string>();
        var deliveryId = (await PublishAsync(account, "evt_gone_quiet"))["id"]!.GetValue<string>();

        // Failures at 0, 10, 20 and 30 minutes: at 30 minutes of failing without a success the webhook is disabled.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == attempt);
            Server.Advance(TimeSpan.FromMinutes(10));
        }

        var paused = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 4);
        var disabled = await Server.GetAsync($"/api/v1/webhooks/{webhook}");
        Assert.Equal("DISABLED", disabled["status"]!.GetValue<string>());
        Assert.StartsWith("Disabled automatically", disabled["disabled_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("queued", paused["status"]!.GetValue<string>());
        Assert.Null(paused["next_attempt_at"]); // paused, not cancelled, not retried
        Server.Advance(TimeSpan.FromHours(2));
        await Server.WaitForIdleAsync();
        Assert.Equal(4, Receiver.Requests.Count);

        Receiver.Respond = _ => ReceiverResponse.Ok;
        await Server.PostAsync($"/api/v1/webhooks/{webhook}/update", new JsonObject { ["status"] = "ENABLED" });
        var delivered = await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "success");

        Assert.Equal(5, HeraldTestServer.AttemptCount(delivered));
        Assert.Null((await Server.GetAsync($"/api/v1/webhooks/{webhook}"))["disabled_reason"]);
    }

    private async Task<JsonObject> PublishAsync(string account, string eventId)
    {
        await Server.PublishAsync(account, id: eventId);
        return (await Server.DeliveriesAsync($"?event_id={eventId}"))[0]!.AsObject();
    }
}
