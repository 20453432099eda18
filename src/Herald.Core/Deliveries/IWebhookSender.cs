namespace Herald.Core.Deliveries;

/// <summary>What one POST to an endpoint produced.</summary>
/// <param name="StartedAt">When it was signed and sent.</param>
/// <param name="Duration">Until the answer's first 4 KiB, or the failure.</param>
/// <param name="StatusCode">The answer's status; null when there was none (timeout, connection error).</param>
/// <param name="Error">What went wrong, in words a tenant may read.</param>
/// <param name="ResponseBody">The answer's first 4 KiB.</param>
/// <param name="RetryAfter">The answer's <c>Retry-After</c>, as a delay.</param>
/// <param name="ClosesConnections">The endpoint closes the connection after answering (HTTP/1.0, <c>Connection: close</c>): every attempt costs it a new TCP connection.</param>
internal sealed record AttemptResult(
    DateTimeOffset StartedAt, TimeSpan Duration, int? StatusCode, string? Error, string? ResponseBody, TimeSpan? RetryAfter, bool ClosesConnections = false);

/// <summary>Sends one signed POST of an envelope to an endpoint. The delivery engine implements it over HTTP.</summary>
internal interface IWebhookSender
{
    /// <summary>POSTs <paramref name="body"/> unchanged, signed with <paramref name="secret"/> when there is one. Never throws for endpoint failures.</summary>
    Task<AttemptResult> SendAsync(string url, string? secret, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
