using System.Diagnostics;
using System.Text;
using Herald.Bench;

namespace Herald.LoadTest.Workload;

internal enum IngestMode
{
    /// <summary><c>POST /api/v1/events/batch_create</c>.</summary>
    Batch,

    /// <summary><c>POST /api/v1/events/create</c>, one event per request.</summary>
    Single,
}

/// <summary>
/// How events are published: <paramref name="Publishers"/> concurrent loops for <paramref name="Duration"/> or
/// until <paramref name="MaxEvents"/>, as fast as the server answers or, with <paramref name="EventsPerSecond"/>,
/// on a fixed schedule.
/// </summary>
internal sealed record PublishPlan(IngestMode Mode, int BatchSize, int Publishers, TimeSpan Duration, long MaxEvents, double? EventsPerSecond = null)
{
    public static PublishPlan Batch(TimeSpan duration, long maxEvents) => new(IngestMode.Batch, 200, 4, duration, maxEvents);

    public static PublishPlan Single(TimeSpan duration, long maxEvents) => new(IngestMode.Single, 1, 16, duration, maxEvents);

    /// <summary>A steady rate in small batches, about 50 requests per second.</summary>
    public static PublishPlan Paced(double eventsPerSecond, TimeSpan duration)
    {
        var batch = (int)Math.Clamp(Math.Round(eventsPerSecond / 50), 1, 200);
        return new(IngestMode.Batch, batch, 8, duration, (long)Math.Ceiling(eventsPerSecond * duration.TotalSeconds) + batch, eventsPerSecond);
    }

    public string Describe() => (Mode, EventsPerSecond) switch
    {
        (IngestMode.Single, _) => $"events/create ×{Publishers}",
        (_, { } rate) => $"paced {rate:N0}/s (×{BatchSize})",
        _ => $"batch ×{BatchSize}, {Publishers} publishers",
    };
}

/// <summary>When each event was accepted: the monotonic time its 201 came back (0 = not published).</summary>
internal sealed class AcceptLog(long started, long[] acceptedAt)
{
    /// <summary>When publishing began.</summary>
    public long Started { get; } = started;

    public long[] AcceptedAt { get; } = acceptedAt;

    public long Count { get; } = acceptedAt.LongCount(t => t != 0);

    /// <summary>When the last 201 came back.</summary>
    public long Finished { get; } = acceptedAt.Length == 0 ? started : Math.Max(started, acceptedAt.Max());

    public long AcceptedAtOf(long sequence) => sequence >= 0 && sequence < AcceptedAt.Length ? AcceptedAt[sequence] : 0;
}

/// <summary>Publishes benchmark events through the API of one or more nodes (publisher i talks to node i mod N).</summary>
internal static class Publisher
{
    public static async Task<AcceptLog> RunAsync(IReadOnlyList<HeraldApi> nodes, IReadOnlyList<string> accounts, string run, PublishPlan plan)
    {
        var acceptedAt = new long[plan.MaxEvents];
        var nextRequest = -1L;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + Ticks(plan.Duration.TotalSeconds);
        await Task.WhenAll(Enumerable.Range(0, plan.Publishers).Select(publisher => Task.Run(async () =>
        {
            var api = nodes[publisher % nodes.Count];
            while (true)
            {
                var request = Interlocked.Increment(ref nextRequest);
                var first = request * plan.BatchSize;
                var due = plan.EventsPerSecond is { } rate ? started + Ticks(first / rate) : Stopwatch.GetTimestamp();
                if (first >= plan.MaxEvents || due >= deadline)
                {
                    return;
                }

                await WaitUntilAsync(due);
                var count = (int)Math.Min(plan.BatchSize, plan.MaxEvents - first);
                await api.SendAsync(
                    plan.Mode == IngestMode.Single ? "/api/v1/events/create" : "/api/v1/events/batch_create",
                    Body(plan.Mode, run, first, count, accounts));
                var accepted = Stopwatch.GetTimestamp();
                acceptedAt.AsSpan((int)first, count).Fill(accepted);
            }
        })));
        return new AcceptLog(started, acceptedAt);
    }

    private static string Body(IngestMode mode, string run, long first, int count, IReadOnlyList<string> accounts)
    {
        if (mode == IngestMode.Single)
        {
            return BenchEvents.CreateRequest(run, first, accounts[(int)(first % accounts.Count)]);
        }

        var body = new StringBuilder((count * (BenchEvents.EnvelopeBytes + 64)) + 16).Append("{\"events\":[");
        for (var sequence = first; sequence < first + count; sequence++)
        {
            body.Append(sequence == first ? string.Empty : ",").Append(BenchEvents.CreateRequest(run, sequence, accounts[(int)(sequence % accounts.Count)]));
        }

        return body.Append("]}").ToString();
    }

    private static async Task WaitUntilAsync(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);
}
