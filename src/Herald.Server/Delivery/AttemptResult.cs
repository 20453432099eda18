namespace Herald.Server.Delivery;

/// <summary>What one POST to an endpoint produced.</summary>
internal sealed record AttemptResult(DateTimeOffset StartedAt, TimeSpan Duration, int? StatusCode, string? Error, string? ResponseBody, TimeSpan? RetryAfter);
