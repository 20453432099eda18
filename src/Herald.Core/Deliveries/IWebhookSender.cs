namespace Herald.Core.Deliveries;

/// <summary>What one POST to an endpoint produced.</summary>
internal sealed record AttemptResult(DateTimeOffset StartedAt, TimeSpan Duration, int? StatusCode, string? Error, string? ResponseBody, TimeSpan? RetryAfter);

/// <summary>Sends one signed POST of an envelope to an endpoint. The delivery engine implements it over HTTP.</summary>
internal interface IWebhookSender
{
    /// <summary>POSTs <paramref name="body"/> unchanged, signed with <paramref name="secret"/> when there is one. Never throws for endpoint failures.</summary>
    Task<AttemptResult> SendAsync(string url, string? secret, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
