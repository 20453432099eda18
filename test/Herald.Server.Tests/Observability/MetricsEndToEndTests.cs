using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Herald.Server.Observability;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Observability;

/// <summary>A real server scraped at <c>/metrics</c> while it ingests, delivers to a real receiver, fails and retries.</summary>
[Collection(nameof(RunsAlone))]
public sealed class MetricsEndToEndTests : ServerWithReceiverTest
{
    // The queue is counted when the test says so (and once at start), not by the sampler's timer racing the test.
    protected override IDictionary<string, string?>? ServerSettings => new Dictionary<string, string?>
    {
        ["Herald:Observability:QueueSampleInterval"] = "01:00:00",
    };

    private Task SampleQueueAsync() => Server.Services.GetRequiredService<QueueStatsSampler>().SampleAsync(CancellationToken.None);

    private static double Depth(Scrape scrape, string state) => scrape.Value("herald_queue_depth", ("herald_queue_state", state)) ?? double.NaN;

    [Fact]
    public async Task Metrics_are_served_to_the_admin_key_and_refused_without_it()
    {
        using var anonymous = await Server.Anonymous.GetAsync("/metrics");
        var refusal = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!;

        var account = await Server.CreateAccountAsync();
        var key = await Server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account });
        using var tenant = new HttpClient { BaseAddress = Server.Client.BaseAddress };
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key["key"]!.GetValue<string>());
        using var tenantAnswer = await tenant.GetAsync("/metrics");

        var scrape = await Scrape.FromAsync(Server.Client, "/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("unauthorized", refusal["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, tenantAnswer.StatusCode);
        Assert.Equal("counter", scrape.Types["herald_events_ingested_total"]);
        Assert.Equal(0, scrape.Value("herald_deliveries_outcomes_total", ("herald_delivery_result", "failed")));
    }

    [Fact]
    public async Task The_counters_and_queue_gauges_move_as_events_are_delivered_fail_and_are_retried()
    {
        var account = await Server.CreateAccountAsync();
        const string Path = "/counters";
        var webhookId = (await Server.CreateWebhookAsync(account, Receiver.Url(Path), "payment_intent.succeeded"))["id"]!.GetValue<string>();
        var before = await Scrape.FromAsync(Server);

        // Three events delivered at once.
        for (var i = 0; i < 3; i++)
        {
            await Server.PublishAsync(account, id: $"evt_ok_{i}");
        }

        await Receiver.WaitForAsync(Path, 3);
        await Server.WaitForIdleAsync();
        var delivered = await Scrape.FromAsync(Server);

        Assert.Equal(3, delivered.Sum("herald_events_ingested_total") - before.Sum("herald_events_ingested_total"));
        Assert.Equal(3, Delta(before, delivered, "herald_deliveries_outcomes_total", ("herald_delivery_result", "success")));
        Assert.Equal(3, Delta(before, delivered, "herald_attempts_duration_seconds_count", ("herald_attempt_outcome", "success"), ("http_response_status_code", "200")));
        Assert.Equal(3, Delta(before, delivered, "herald_attempts_duration_seconds_bucket", ("herald_attempt_outcome", "success"), ("le", "+Inf")));
        Assert.True(delivered.Sum("herald_claims_duration_seconds_count") > 0);

        // The endpoint fails: two deliveries wait for their retry.
        Receiver.Respond = _ => new ReceiverResponse(500, "down");
        await Server.PublishAsync(account, id: "evt_down_1");
        await Server.PublishAsync(account, id: "evt_down_2");
        await Receiver.WaitForAsync(Path, 5);
        await Server.WaitForIdleAsync();
        await SampleQueueAsync();
        var failing = await Scrape.FromAsync(Server);

        Assert.Equal(2, Delta(delivered, failing, "herald_deliveries_outcomes_total", ("herald_delivery_result", "retry")));
        Assert.Equal(2, Delta(delivered, failing, "herald_attempts_duration_seconds_count", ("herald_attempt_outcome", "failure"), ("http_response_status_code", "500")));
        Assert.Equal(2, failing.Value("herald_webhooks_failures_total", ("herald_webhook_id", webhookId)));
        Assert.Equal(2, Depth(failing, "scheduled"));
        Assert.Equal(0, Depth(failing, "due"));
        Assert.Equal(0, Depth(failing, "paused"));
        Assert.Equal(0, failing.Value("herald_queue_oldest_due_age_seconds"));

        // Their retries go out and the endpoint holds them: due, in flight, and late by the time that passes.
        var answer = new TaskCompletionSource();
        Receiver.Respond = _ => new ReceiverResponse(Until: answer.Task);
        Server.Advance(TimeSpan.FromSeconds(7));
        await Receiver.WaitForAsync(Path, 7);
        Server.Advance(TimeSpan.FromSeconds(10));
        await SampleQueueAsync();
        var late = await Scrape.FromAsync(Server);

        Assert.Equal(2, Depth(late, "due"));
        Assert.Equal(0, Depth(late, "scheduled"));
        Assert.InRange(late.Value("herald_queue_oldest_due_age_seconds") ?? 0, 10, 14);
        Assert.Equal(2, late.Value("herald_dispatcher_in_flight"));

        // The endpoint answers: the queue empties.
        answer.SetResult();
        await Server.WaitForDeliveryAsync((await Server.DeliveriesAsync("?event_id=evt_down_2"))[0]!["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");
        await Server.WaitForDeliveryAsync((await Server.DeliveriesAsync("?event_id=evt_down_1"))[0]!["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");
        await SampleQueueAsync();
        var recovered = await Scrape.FromAsync(Server);

        Assert.Equal(5, Delta(before, recovered, "herald_deliveries_outcomes_total", ("herald_delivery_result", "success")));
        Assert.Equal(5, recovered.Sum("herald_events_ingested_total") - before.Sum("herald_events_ingested_total"));
        Assert.Equal(0, Depth(recovered, "due") + Depth(recovered, "scheduled") + Depth(recovered, "paused"));
        Assert.Equal(0, recovered.Value("herald_queue_oldest_due_age_seconds"));
        Assert.Equal(0, recovered.Value("herald_dispatcher_in_flight"));
        Assert.Equal(0, Delta(before, recovered, "herald_deliveries_outcomes_total", ("herald_delivery_result", "failed")));
    }

    [Fact]
    public async Task A_repeated_event_id_is_not_counted_as_ingested_again()
    {
        var account = await Server.CreateAccountAsync();
        var before = await Scrape.FromAsync(Server);

        await Server.PublishAsync(account, id: "evt_once");
        await Server.PublishAsync(account, id: "evt_once");
        await Server.PostAsync("/api/v1/events/batch_create", new JsonObject
        {
            ["events"] = new JsonArray(
                new JsonObject { ["id"] = "evt_batch_1", ["name"] = "refund.received", ["account_id"] = account, ["data"] = new JsonObject { ["object"] = new JsonObject() } },
                new JsonObject { ["id"] = "evt_batch_2", ["name"] = "refund.received", ["account_id"] = account, ["data"] = new JsonObject { ["object"] = new JsonObject() } }),
        });
        var after = await Scrape.FromAsync(Server);

        Assert.Equal(3, after.Sum("herald_events_ingested_total") - before.Sum("herald_events_ingested_total"));
    }

    private static double Delta(Scrape before, Scrape after, string name, params (string, string)[] labels) =>
        after.Sum(name, labels) - before.Sum(name, labels);
}
