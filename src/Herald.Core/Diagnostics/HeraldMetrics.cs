using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Core.Diagnostics;

/// <summary>
/// Herald's instruments, on the <c>Herald</c> meter (export them with OpenTelemetry or read them with
/// <c>dotnet-counters monitor --counters Herald</c>). Names follow OpenTelemetry's conventions; see docs/observability.md.
/// </summary>
internal sealed class HeraldMetrics
{
    public const string MeterName = "Herald";

    /// <summary>Spans of ingest and of each attempt; an attempt's span carries the W3C <c>traceparent</c> to the endpoint.</summary>
    public static readonly ActivitySource ActivitySource = new("Herald");

    private readonly Counter<long> _eventsIngested;
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _webhookFailures;

    public HeraldMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _eventsIngested = Meter.CreateCounter<long>("herald.events.ingested", "{event}", "Events accepted (committed) by this node.");
        _outcomes = Meter.CreateCounter<long>("herald.deliveries.outcomes", "{delivery}", "What deliveries became after an attempt or a check: success, retry, failed, cancelled.");
        _attemptDuration = Meter.CreateHistogram<double>(
            "herald.attempts.duration", "ms", "How long attempts took, from signing to the response's first 4 KiB or the failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 15000, 30000] });
        _webhookFailures = Meter.CreateCounter<long>("herald.webhooks.failures", "{attempt}", "Failed attempts per webhook.");
    }

    public Meter Meter { get; }

    public void EventsIngested(int count) => _eventsIngested.Add(count);

    /// <summary>Counts a delivery's new state: <c>success</c>, <c>retry</c> (queued again), <c>failed</c> or <c>cancelled</c>.</summary>
    public void Outcome(string result) => _outcomes.Add(1, new KeyValuePair<string, object?>("herald.delivery.result", result));

    public void Attempt(TimeSpan duration, bool success, int? statusCode, string webhookId)
    {
        var outcome = new KeyValuePair<string, object?>("herald.attempt.outcome", success ? "success" : "failure");
        var status = new KeyValuePair<string, object?>("http.response.status_code", statusCode);
        _attemptDuration.Record(duration.TotalMilliseconds, outcome, status);
        if (!success)
        {
            _webhookFailures.Add(1, new KeyValuePair<string, object?>("herald.webhook.id", webhookId));
        }
    }
}
