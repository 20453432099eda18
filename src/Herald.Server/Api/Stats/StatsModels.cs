using Herald.Core.Deliveries;

namespace Herald.Server.Api.Stats;

/// <summary>Attempt latency in milliseconds: the mean and the largest exactly, percentiles estimated from a latency histogram.</summary>
internal sealed record LatencyResponse(double? Avg, double? P50, double? P95, double? P99, long? Max)
{
    public static LatencyResponse From(LatencySummary latency) => new(latency.Average, latency.P50, latency.P95, latency.P99, latency.Max);
}

/// <summary>
/// Attempts started in one bucket (or the whole range) by outcome: <c>succeeded</c> (the success answer: 200, or any
/// 2xx when so configured), <c>failed</c> (another HTTP answer) and <c>errored</c> (no answer: connection error or
/// timeout). <c>success_rate</c> is succeeded ÷ attempts, null when there were none.
/// </summary>
internal sealed record AttemptBucketResponse(string Start, long Attempts, long Succeeded, long Failed, long Errored, double? SuccessRate, LatencyResponse LatencyMs)
{
    public static AttemptBucketResponse From(AttemptCounts counts) => new(
        ApiTime.Format(counts.Start), counts.Attempts, counts.Succeeded, counts.Failed, counts.Errored, counts.SuccessRate, LatencyResponse.From(counts.Latency));
}

/// <summary>Delivery statistics over [<c>from</c>, <c>to</c>): a summary of the range and one entry per bucket, oldest first, empty buckets included.</summary>
internal sealed record DeliveryStatsResponse(string From, string To, string Bucket, string? WebhookId, AttemptBucketResponse Summary, IReadOnlyList<AttemptBucketResponse> Buckets)
{
    public static DeliveryStatsResponse Of(DeliveryStatsResult result) => new(
        ApiTime.Format(result.From), ApiTime.Format(result.To), result.Bucket, result.WebhookId,
        AttemptBucketResponse.From(result.Summary), [.. result.Buckets.Select(AttemptBucketResponse.From)]);
}
