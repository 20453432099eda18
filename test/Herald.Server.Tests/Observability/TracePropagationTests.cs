using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Herald.Core.Diagnostics;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Observability;

/// <summary>
/// Every attempt sends a W3C <c>traceparent</c> in the trace of its event's ingest, whether it is the first attempt
/// (handed over in memory) or a retry claimed from the database later, and whether or not a tracer records spans.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed partial class TracePropagationTests : ServerWithReceiverTest
{
    private const string ProducerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ProducerSpanId = "00f067aa0ba902b7";

    [GeneratedRegex("^00-(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-(?<flags>[0-9a-f]{2})$")]
    private static partial Regex TraceParentPattern();

    private static (string TraceId, string SpanId) Parse(string? traceParent)
    {
        Assert.NotNull(traceParent);
        var match = TraceParentPattern().Match(traceParent);
        Assert.True(match.Success, $"Not a W3C traceparent: {traceParent}");
        return (match.Groups["trace"].Value, match.Groups["span"].Value);
    }

    /// <summary>The <paramref name="number"/>th request carrying <paramref name="eventId"/>: a test never mistakes another's request for its own.</summary>
    private async Task<ReceivedRequest> AttemptAsync(string eventId, int number = 1)
    {
        var marker = $"\"id\":\"{eventId}\"";
        await Receiver.WaitUntilAsync(requests => requests.Count(r => r.BodyText.Contains(marker, StringComparison.Ordinal)) >= number);
        return Receiver.Requests.Where(r => r.BodyText.Contains(marker, StringComparison.Ordinal)).ElementAt(number - 1);
    }

    private async Task<string?> StoredTraceParentAsync(string eventId)
    {
        await using var connection = await Server.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT trace_parent FROM events WHERE id = '{eventId}'";
        return await command.ExecuteScalarAsync() as string;
    }

    private async Task PublishWithHeadersAsync(string account, string eventId, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events/create")
        {
            Content = HeraldTestServer.Json(new JsonObject
            {
                ["id"] = eventId,
                ["name"] = "payment_intent.succeeded",
                ["account_id"] = account,
                ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "int_1" } },
            }),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Server.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_attempt_sends_the_trace_recorded_at_ingest_also_a_retry_claimed_later()
    {
        var calls = 0;
        Receiver.Respond = r => r.BodyText.Contains("evt_traced", StringComparison.Ordinal) && Interlocked.Increment(ref calls) == 1 ? new ReceiverResponse(503, "busy") : ReceiverResponse.Ok;
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded");

        await Server.PublishAsync(account, id: "evt_traced");
        var first = await AttemptAsync("evt_traced");
        await Server.WaitForIdleAsync();
        Server.Advance(TimeSpan.FromSeconds(7));
        var retry = await AttemptAsync("evt_traced", 2);

        var stored = await StoredTraceParentAsync("evt_traced");
        var (ingestTrace, ingestSpan) = Parse(stored);
        var (firstTrace, firstParent) = Parse(first.Header("traceparent"));
        var (retryTrace, retryParent) = Parse(retry.Header("traceparent"));
        var seen = $"stored {stored}, first attempt {first.Header("traceparent")}, retry {retry.Header("traceparent")}; {Receiver.Requests.Count} requests: "
            + string.Join(" | ", Receiver.Requests.Select(r => $"{r.Path} {r.Header("traceparent")} {r.BodyText[..Math.Min(60, r.BodyText.Length)]}"));
        Assert.True(ingestTrace == firstTrace, seen);
        Assert.True(ingestTrace == retryTrace, seen);
        Assert.NotEqual(firstParent, retryParent);
        Assert.NotEqual(ingestSpan, firstParent);
        Assert.NotEqual(ingestSpan, retryParent);
    }

    [Fact]
    public async Task A_producer_traceparent_reaches_the_endpoint_and_its_tracestate_and_baggage_do_not()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded");

        await PublishWithHeadersAsync(
            account, "evt_from_producer",
            ("traceparent", $"00-{ProducerTraceId}-{ProducerSpanId}-01"), ("tracestate", "producer=internal-state"), ("baggage", "customer=alice"));
        var delivered = await AttemptAsync("evt_from_producer");

        Assert.Equal(ProducerTraceId, Parse(delivered.Header("traceparent")).TraceId);
        Assert.Equal(ProducerTraceId, Parse(await StoredTraceParentAsync("evt_from_producer")).TraceId);
        Assert.DoesNotContain(delivered.Headers, header => header.Value.Contains("internal-state", StringComparison.Ordinal) || header.Value.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_tracer_listening_the_attempt_span_is_a_child_of_the_ingest_span()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HeraldMetrics.MeterName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId.ToHexString() == ProducerTraceId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded");

        await PublishWithHeadersAsync(account, "evt_recorded", ("traceparent", $"00-{ProducerTraceId}-{ProducerSpanId}-01"));
        var delivered = await AttemptAsync("evt_recorded");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!spans.Any(s => s.OperationName == HeraldActivities.AttemptName) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var ingest = Assert.Single(spans, s => s.OperationName == HeraldActivities.IngestName);
        var attempt = Assert.Single(spans, s => s.OperationName == HeraldActivities.AttemptName);
        Assert.Equal(ActivityKind.Producer, ingest.Kind);
        Assert.Equal(1, ingest.GetTagItem("herald.events.count"));
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal(ingest.SpanId, attempt.ParentSpanId);
        Assert.True(attempt.Recorded);
        Assert.Equal(200, attempt.GetTagItem("http.response.status_code"));
        Assert.Equal("success", attempt.GetTagItem("herald.delivery.result"));
        Assert.Equal(ProducerTraceId, Parse(delivered.Header("traceparent")).TraceId);
    }

    [Fact]
    public async Task A_webhook_test_send_carries_the_trace_of_the_request_that_asked_for_it()
    {
        var account = await Server.CreateAccountAsync();
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url("/test-send"), "payment_intent.succeeded");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/{webhook["id"]}/test")
        {
            Content = HeraldTestServer.Json(new JsonObject { ["name"] = "refund.received" }),
        };
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{ProducerTraceId}-{ProducerSpanId}-01");
        using var response = await Server.Client.SendAsync(request);
        var sample = await Receiver.WaitForAsync("/test-send");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(ProducerTraceId, Parse(sample.Header("traceparent")).TraceId);
    }
}
