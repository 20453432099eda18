using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Core.Diagnostics;

/// <summary>
/// Herald's instruments, on the <c>Herald</c> meter (export them with OpenTelemetry or read them with
/// <c>dotnet-counters monitor --counters Herald</c>). Names follow OpenTelemetry's conventions, durations are in
/// seconds; docs/observability.md lists every instrument with what to alert on.
/// </summary>
internal sealed class HeraldMetrics
{
    public const string MeterName = "Herald";

    /// <summary>The results <see cref="Outcome"/> counts; each starts at 0 so that rates exist before the first of its kind.</summary>
    public static readonly IReadOnlyList<string> OutcomeResults = ["success", "retry", "failed", "cancelled"];

    /// <summary>The states of <c>herald.queue.depth</c>.</summary>
    public static readonly IReadOnlyList<string> QueueStates = ["due", "scheduled", "paused"];

    /// <summary>Spans of ingest and of each attempt; see <see cref="HeraldActivities"/>.</summary>
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

    private readonly Counter<long> _eventsIngested;
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _webhookFailures;
    private readonly Histogram<double> _claimDuration;
    private readonly Counter<long> _outcomeWriteFailures;
    private volatile QueueSample? _queue;

    public HeraldMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _eventsIngested = Meter.CreateCounter<long>("herald.events.ingested", "{event}", "Events accepted (committed) by this node; a repeated event id is not counted again.");
        _outcomes = Meter.CreateCounter<long>("herald.deliveries.outcomes", "{delivery}", "What deliveries became after an attempt or a check: success, retry (queued again), failed (schedule spent) or cancelled.");
        _attemptDuration = Meter.CreateHistogram<double>(
            "herald.attempts.duration", "s", "How long attempts took, from signing to the answer's first 4 KiB or the failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _webhookFailures = Meter.CreateCounter<long>("herald.webhooks.failures", "{attempt}", "Failed attempts per webhook.");
        _claimDuration = Meter.CreateHistogram<double>(
            "herald.claims.duration", "s", "How long one claim of due deliveries took (one database round trip on PostgreSQL, one write transaction on SQLite).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _outcomeWriteFailures = Meter.CreateCounter<long>("herald.outcomes.write_failures", "{write}", "Batches of attempt outcomes whose write failed (each is kept and tried again).");
        Meter.CreateObservableGauge("herald.queue.depth", ObserveQueueDepth, "{delivery}",
            "Queued deliveries of every node by state: due (to send now, in flight included), scheduled (waiting for a retry time), paused (webhook disabled automatically). Sampled, and counted up to a limit.");
        Meter.CreateObservableGauge("herald.queue.oldest_due_age", ObserveOldestDueAge, "s",
            "How long the oldest due delivery has been due (0 when none is): how far delivery lags behind its schedule. Sampled.");

        // Known series start at 0, so that rate() and alerts see them before their first event.
        _eventsIngested.Add(0);
        _outcomeWriteFailures.Add(0);
        foreach (var result in OutcomeResults)
        {
            _outcomes.Add(0, new KeyValuePair<string, object?>("herald.delivery.result", result));
        }
    }

    public Meter Meter { get; }

    public void EventsIngested(int count) => _eventsIngested.Add(count);

    /// <summary>Counts a delivery's new state: <c>success</c>, <c>retry</c> (queued again), <c>failed</c> or <c>cancelled</c>.</summary>
    public void Outcome(string result) => _outcomes.Add(1, new KeyValuePair<string, object?>("herald.delivery.result", result));

    public void Attempt(TimeSpan duration, bool success, int? statusCode, string webhookId)
    {
        var outcome = new KeyValuePair<string, object?>("herald.attempt.outcome", success ? "success" : "failure");
        var status = new KeyValuePair<string, object?>("http.response.status_code", statusCode);
        _attemptDuration.Record(duration.TotalSeconds, outcome, status);
        if (!success)
        {
            _webhookFailures.Add(1, new KeyValuePair<string, object?>("herald.webhook.id", webhookId));
        }
    }

    public void Claim(TimeSpan duration) => _claimDuration.Record(duration.TotalSeconds);

    public void OutcomeWriteFailed() => _outcomeWriteFailures.Add(1);

    /// <summary>The outcome writer's gauges: what waits to be written, and for how long writes have been failing.</summary>
    public void ObserveOutcomeWriter(Func<int> backlog, Func<TimeSpan> failingFor)
    {
        Meter.CreateObservableGauge("herald.outcomes.backlog", backlog, "{outcome}", "Attempt outcomes this node has made and not yet written; the dispatcher takes no new work while it exceeds MaxInFlight.");
        Meter.CreateObservableGauge("herald.outcomes.failing_duration", () => failingFor().TotalSeconds, "s", "How long this node's outcome writes have been failing without a success (0 while they succeed).");
    }

    /// <summary>Publishes a sample of the queue for the queue gauges; null empties them (the count failed).</summary>
    public void QueueSampled(QueueSample? sample) => _queue = sample;

    private IEnumerable<Measurement<long>> ObserveQueueDepth()
    {
        if (_queue is not { } sample)
        {
            return [];
        }

        return
        [
            new(sample.Due, new KeyValuePair<string, object?>("herald.queue.state", "due")),
            new(sample.Scheduled, new KeyValuePair<string, object?>("herald.queue.state", "scheduled")),
            new(sample.Paused, new KeyValuePair<string, object?>("herald.queue.state", "paused")),
        ];
    }

    private IEnumerable<Measurement<double>> ObserveOldestDueAge() => _queue is { } sample
        ? [new(sample.OldestDueAt is { } due && due < sample.SampledAt ? (sample.SampledAt - due) / 1000.0 : 0)]
        : [];
}

/// <summary>The queue as one count saw it at <paramref name="SampledAt"/> (Unix ms): queued deliveries by state and the earliest next attempt time.</summary>
internal sealed record QueueSample(long Due, long Scheduled, long Paused, long? OldestDueAt, long SampledAt);
