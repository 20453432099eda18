using System.Text.Json.Nodes;
using Herald.Core.Deliveries;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>Walks the three-day retry schedule on a fake clock against a real receiver.</summary>
public sealed class RetryScheduleTests : ServerWithReceiverTest
{
    private string _account = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _account = await Server.CreateAccountAsync();
    }

    private async Task<string> PublishAndGetDeliveryIdAsync(string eventId)
    {
        await Server.PublishAsync(_account, id: eventId);
        var deliveries = await Server.DeliveriesAsync($"?event_id={eventId}");
        return Assert.Single(deliveries)!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_failing_endpoint_is_retried_on_the_jittered_schedule_then_marked_failed_after_the_last_attempt()
    {
        Receiver.Respond = _ => new ReceiverResponse(500, "boom");
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_retry_all");
        var schedule = DeliveryOptions.DefaultRetrySchedule;

        for (var attempt = 1; attempt <= schedule.Count; attempt++)
        {
            var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == attempt);
            Assert.Equal("queued", delivery["status"]!.GetValue<string>());
            var nextAt = DateTimeOffset.Parse(delivery["next_attempt_at"]!.GetValue<string>().Replace("+0000", "+00:00", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
            var delay = nextAt - Server.Now;
            var scheduled = schedule[attempt - 1];
            // ±20 % jitter; next_attempt_at is shown in whole seconds.
            Assert.InRange(delay, (scheduled * 0.8) - TimeSpan.FromSeconds(1), scheduled * 1.2);

            // One second before it is due nothing happens; at the due time the next attempt goes out.
            Server.Advance(delay - TimeSpan.FromSeconds(2));
            await Server.WaitForIdleAsync();
            Assert.Equal(attempt, Receiver.Requests.Count);
            Server.Advance(TimeSpan.FromSeconds(3));
        }

        var failed = await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "failed");
        Assert.Equal(schedule.Count + 1, HeraldTestServer.AttemptCount(failed));
        Assert.Equal(schedule.Count + 1, Receiver.Requests.Count);
        Assert.All(failed["attempts"]!.AsArray(), a => Assert.Equal(500, a!["status_code"]!.GetValue<int>()));
        Assert.Equal("boom", failed["attempts"]![0]!["response_body"]!.GetValue<string>());
        Assert.Single(Receiver.Requests.Select(r => r.BodyText).Distinct());

        Server.Advance(TimeSpan.FromDays(2));
        await Server.WaitForIdleAsync();
        Assert.Equal(schedule.Count + 1, Receiver.Requests.Count);
    }

    [Fact]
    public async Task A_receiver_that_recovers_gets_the_same_event_id_and_body_and_the_delivery_succeeds()
    {
        var calls = 0;
        Receiver.Respond = _ => Interlocked.Increment(ref calls) <= 2 ? new ReceiverResponse(503, "down") : ReceiverResponse.Ok;
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_recovers");

        await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
        Server.Advance(TimeSpan.FromSeconds(7));
        await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 2);
        Server.Advance(TimeSpan.FromMinutes(7));
        var delivered = await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "success");

        Assert.Equal(3, Receiver.Requests.Count);
        Assert.Single(Receiver.Requests.Select(r => r.BodyText).Distinct());
        Assert.All(Receiver.Requests, r => Assert.Contains("\"id\":\"evt_recovers\"", r.BodyText, StringComparison.Ordinal));
        Assert.Equal(3, Receiver.Requests.Select(r => r.Header("x-timestamp")).Distinct().Count());
        Assert.Equal([503, 503, 200], delivered["attempts"]!.AsArray().Select(a => a!["status_code"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_201_is_a_failure_when_only_200_counts_as_success()
    {
        Receiver.Respond = _ => new ReceiverResponse(201, "created");
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_201");

        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);

        Assert.Equal("queued", delivery["status"]!.GetValue<string>());
        Assert.Equal(201, delivery["last_status_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_after_fifteen_seconds_and_is_retried()
    {
        Receiver.Respond = _ => new ReceiverResponse(200, Delay: TimeSpan.FromMinutes(5));
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_timeout");
        await Receiver.NextAsync();

        // The attempt's duration is measured on the same clock as the timeout: a timeout that fired early (at 14 s)
        // would record 14000 ms, one that fired late would not be recorded at all.
        Server.Advance(TimeSpan.FromSeconds(14));
        Server.Advance(TimeSpan.FromSeconds(1));
        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);

        Assert.Equal(15_000, delivery["attempts"]![0]!["duration_ms"]!.GetValue<long>());
        Assert.Equal("queued", delivery["status"]!.GetValue<string>());
        Assert.StartsWith("timeout", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(delivery["attempts"]![0]!["status_code"]);
    }

    [Fact]
    public async Task A_refused_connection_is_recorded_as_an_error_and_retried()
    {
        var closedPort = System.Net.Sockets.TcpListener.Create(0);
        closedPort.Start();
        var port = ((System.Net.IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        await Server.CreateWebhookAsync(_account, $"http://127.0.0.1:{port}/hook", "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_refused");

        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);

        Assert.Equal("queued", delivery["status"]!.GetValue<string>());
        Assert.StartsWith("connection failed", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_after_on_a_429_is_honoured_within_twice_the_scheduled_delay()
    {
        Receiver.Respond = _ => new ReceiverResponse(429, "slow down", Headers: new Dictionary<string, string> { ["Retry-After"] = "3600" });
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_429");

        var delivery = await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
        var nextAt = DateTimeOffset.Parse(delivery["next_attempt_at"]!.GetValue<string>().Replace("+0000", "+00:00", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

        // The 5 s step with jitter is 4-6 s; asking for an hour is clamped to at most twice that.
        Assert.InRange(nextAt - Server.Now, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task A_410_disables_the_webhook_and_cancels_its_other_queued_deliveries()
    {
        Receiver.Respond = r => r.Path == "/gone" ? new ReceiverResponse(410, "gone") : new ReceiverResponse(500);
        var gone = await Server.CreateWebhookAsync(_account, Receiver.Url("/gone"), "payment_intent.succeeded");
        var first = await PublishAndGetDeliveryIdAsync("evt_gone_1");

        var delivery = await Server.WaitForDeliveryAsync(first, d => d["status"]!.GetValue<string>() != "queued");
        var webhook = await Server.GetAsync($"/api/v1/webhooks/{gone["id"]}");

        Assert.Equal("failed", delivery["status"]!.GetValue<string>());
        Assert.Equal("DISABLED", webhook["status"]!.GetValue<string>());
        Assert.Contains("410", webhook["disabled_reason"]!.GetValue<string>(), StringComparison.Ordinal);

        await Server.PublishAsync(_account, id: "evt_gone_2");
        Assert.Empty(await Server.DeliveriesAsync("?event_id=evt_gone_2"));
    }

    [Fact]
    public async Task Retrigger_requeues_a_failed_delivery_at_once_and_marks_it_retriggered()
    {
        Receiver.Respond = _ => new ReceiverResponse(500);
        await Server.CreateWebhookAsync(_account, Receiver.Url(), "payment_intent.succeeded");
        var deliveryId = await PublishAndGetDeliveryIdAsync("evt_retrigger");
        var schedule = DeliveryOptions.DefaultRetrySchedule;
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            await Server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == attempt);
            Server.Advance(attempt <= schedule.Count ? (schedule[attempt - 1] * 1.2) + TimeSpan.FromSeconds(1) : TimeSpan.Zero);
        }

        await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "failed");
        Receiver.Respond = _ => ReceiverResponse.Ok;
        var retriggered = await Server.PostAsync("/api/v1/deliveries/retrigger", new JsonObject { ["ids"] = new JsonArray(deliveryId) });
        var delivered = await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "success");

        // The answer shows the delivery queued again; under load the new attempt may already have landed by then.
        Assert.Contains(retriggered["items"]![0]!["status"]!.GetValue<string>(), new[] { "queued", "success" });
        Assert.True(delivered["retriggered"]!.GetValue<bool>());
        Assert.Equal(11, HeraldTestServer.AttemptCount(delivered));
        // Only this test's event: another test process may still send to a port this receiver now has.
        var bodies = Receiver.Requests.Select(r => r.BodyText).Where(b => b.Contains("\"evt_retrigger\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(11, bodies.Count);
        Assert.Single(bodies.Distinct());
    }
}
