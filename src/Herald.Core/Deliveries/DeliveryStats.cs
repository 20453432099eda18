using Herald.Core.Accounts;
using Herald.Core.Tenants;
using Microsoft.Extensions.Options;

namespace Herald.Core.Deliveries;

/// <summary>How an attempt ended: the endpoint's success answer, another answer, or no answer (connection error, timeout).</summary>
internal enum AttemptOutcome
{
    Succeeded = 0,
    Failed = 1,
    Errored = 2,
}

/// <summary>What to aggregate: attempts started in [<see cref="From"/>, <see cref="To"/>) (Unix ms), in buckets of <see cref="BucketMs"/>.</summary>
internal sealed record AttemptStatsQuery(string? WebhookId, long From, long To, long BucketMs, bool AcceptAny2xx);

/// <summary>
/// One group of the store's aggregation: the attempts of one bucket, outcome and latency class, with their count,
/// summed and largest duration. Latency classes are <see cref="DeliveryStats.LatencyBounds"/> (the last is open).
/// </summary>
internal sealed class AttemptStatsRow
{
    public long BucketIndex { get; init; }
    public long Outcome { get; init; }
    public long LatencyClass { get; init; }
    public long Count { get; init; }
    public long TotalDurationMs { get; init; }
    public long MaxDurationMs { get; init; }
}

/// <summary>Latency of a set of attempts in milliseconds; percentiles are estimated from the latency histogram.</summary>
internal sealed record LatencySummary(double? Average, double? P50, double? P95, double? P99, long? Max);

/// <summary>Attempts of one bucket (or of the whole range) by outcome, with the success rate (null when there were none).</summary>
internal sealed record AttemptCounts(long Start, long Attempts, long Succeeded, long Failed, long Errored, double? SuccessRate, LatencySummary Latency);

internal sealed record DeliveryStatsResult(long From, long To, string Bucket, string? WebhookId, AttemptCounts Summary, IReadOnlyList<AttemptCounts> Buckets);

/// <summary>
/// Delivery statistics for charts: attempts per bucket by outcome, success rate and latency, over a time range,
/// for one webhook or everything the caller sees. Aggregated by the store (one grouped query), so the cost grows with
/// buckets × classes, not with the number of attempts sent back.
/// </summary>
internal sealed class DeliveryStats(IDeliveryStore store, TenantResolver tenants, IOptions<DeliveryOptions> options, TimeProvider time)
{
    public const int MaxBuckets = 1440;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    /// <summary>Upper bounds (exclusive, ms) of the latency classes; a last, open class holds everything slower.</summary>
    public static IReadOnlyList<long> LatencyBounds { get; } = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 15_000, 30_000];

    private static readonly Dictionary<string, long> BucketSizes = new(StringComparer.Ordinal)
    {
        ["minute"] = 60_000,
        ["hour"] = 3_600_000,
        ["day"] = 86_400_000,
    };

    public async Task<DeliveryStatsResult> GetAsync(
        Caller caller, string? accountId, string? webhookId, long? from, long? to, string? bucket, CancellationToken cancellationToken)
    {
        bucket ??= "minute";
        if (!BucketSizes.TryGetValue(bucket, out var bucketMs))
        {
            throw HeraldException.Validation("bucket must be minute, hour or day.", "bucket");
        }

        var requestedEnd = to ?? time.GetUtcNow().ToUnixTimeMilliseconds();
        var requestedStart = from ?? requestedEnd - (long)DefaultRange.TotalMilliseconds;
        if (requestedStart >= requestedEnd)
        {
            throw HeraldException.Validation("from must be before to.", "from");
        }

        if (requestedEnd - requestedStart > MaxBuckets * bucketMs)
        {
            throw HeraldException.Validation($"The range spans more than {MaxBuckets} buckets of a {bucket}; narrow from/to or use a larger bucket.", "bucket");
        }

        // Buckets sit on whole minutes (hours, days) of UTC, so charts of adjacent ranges line up; the range widens to them.
        var start = FloorTo(requestedStart, bucketMs);
        var end = CeilTo(requestedEnd, bucketMs);

        var scope = await tenants.ResolveScopeAsync(caller, accountId, cancellationToken);
        var rows = await store.GetAttemptStatsAsync(scope, new AttemptStatsQuery(webhookId, start, end, bucketMs, options.Value.AcceptAny2xx), cancellationToken);

        var count = (int)((end - start) / bucketMs);
        var buckets = new List<AttemptCounts>(count);
        var byBucket = rows.ToLookup(r => r.BucketIndex);
        for (var i = 0; i < count; i++)
        {
            buckets.Add(Summarize(start + (i * bucketMs), byBucket[i]));
        }

        return new DeliveryStatsResult(start, end, bucket, webhookId, Summarize(start, rows), buckets);
    }

    /// <summary>Counts and latency of a set of rows; percentiles interpolate linearly inside the histogram class that holds them.</summary>
    internal static AttemptCounts Summarize(long start, IEnumerable<AttemptStatsRow> rows)
    {
        var list = rows as IReadOnlyCollection<AttemptStatsRow> ?? [.. rows];
        long attempts = 0, succeeded = 0, failed = 0, errored = 0, totalDuration = 0, max = 0;
        var histogram = new long[LatencyBounds.Count + 1];
        foreach (var row in list)
        {
            attempts += row.Count;
            totalDuration += row.TotalDurationMs;
            max = Math.Max(max, row.MaxDurationMs);
            histogram[Math.Clamp((int)row.LatencyClass, 0, histogram.Length - 1)] += row.Count;
            switch ((AttemptOutcome)row.Outcome)
            {
                case AttemptOutcome.Succeeded:
                    succeeded += row.Count;
                    break;
                case AttemptOutcome.Failed:
                    failed += row.Count;
                    break;
                default:
                    errored += row.Count;
                    break;
            }
        }

        if (attempts == 0)
        {
            return new AttemptCounts(start, 0, 0, 0, 0, null, new LatencySummary(null, null, null, null, null));
        }

        var latency = new LatencySummary(
            Math.Round((double)totalDuration / attempts, 1),
            Percentile(histogram, attempts, 0.50, max),
            Percentile(histogram, attempts, 0.95, max),
            Percentile(histogram, attempts, 0.99, max),
            max);
        return new AttemptCounts(start, attempts, succeeded, failed, errored, Math.Round((double)succeeded / attempts, 4), latency);
    }

    private static double Percentile(long[] histogram, long total, double quantile, long max)
    {
        var rank = quantile * total;
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            if (histogram[i] == 0 || seen + histogram[i] < rank)
            {
                seen += histogram[i];
                continue;
            }

            var lower = i == 0 ? 0 : LatencyBounds[i - 1];
            var upper = i < LatencyBounds.Count ? Math.Min(LatencyBounds[i], Math.Max(max, lower)) : Math.Max(max, lower);
            var within = (rank - seen) / histogram[i];
            return Math.Round(lower + ((upper - lower) * within), 1);
        }

        return max;
    }

    private static long FloorTo(long value, long size) => value - (((value % size) + size) % size);

    private static long CeilTo(long value, long size) => FloorTo(value + size - 1, size);
}
