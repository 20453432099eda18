using System.Diagnostics;
using System.Net.Http.Headers;
using Herald.Bench;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.LoadTest.Processes;

namespace Herald.LoadTest.Workload;

/// <summary>
/// The wire limit: a bare <see cref="HttpClient"/> loop POSTing the same signed ~1 KiB envelopes to the same
/// receiver endpoints, with the concurrency Herald gets in the scenario. No queue, no database: the most any
/// sender could deliver here. Runs in the harness process, so it competes with the receiver for the CPU
/// exactly as Herald does.
/// </summary>
internal sealed class WireLimit(ReceiverProcess receiver, IReadOnlyList<int> endpoints, int concurrency, TimeSpan duration)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Senders in flight at once: the concurrency Herald gets in the scenario.</summary>
    public int Concurrency { get; } = concurrency;

    /// <returns>Deliveries (200s) per second.</returns>
    public async Task<double> MeasureAsync()
    {
        await receiver.ResetAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var urls = endpoints.Select(endpoint => receiver.Endpoint(EndpointBehaviour.Healthy, endpoint)).ToArray();

        // A one-second warm-up (connections, JIT) before the counted window.
        var sequence = -1L;
        var delivered = 0L;
        var warmUpEnds = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        var ends = warmUpEnds + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() is var now && now < ends)
            {
                var n = Interlocked.Increment(ref sequence);
                if (await SendAsync(client, urls[n % urls.Length], n) && now >= warmUpEnds && Stopwatch.GetTimestamp() < ends)
                {
                    Interlocked.Increment(ref delivered);
                }
            }
        })));

        // Every counted 200 must be a verified arrival: the loop measures the receiver's real work.
        var stats = await receiver.StatsAsync();
        if (stats.Arrivals < delivered || stats.Rejected > 0)
        {
            throw new InvalidOperationException($"The wire loop counted {delivered} deliveries but the receiver verified {stats.Arrivals} and rejected {stats.Rejected}.");
        }

        await receiver.ResetAsync();
        return delivered / duration.TotalSeconds;
    }

    private static async Task<bool> SendAsync(HttpClient client, Uri url, long sequence)
    {
        var now = TimeProvider.System.GetUtcNow();
        var body = BenchEvents.Envelope("wire", sequence, "acct_wire0000000000000000", now);
        var timestamp = WebhookTimestamps.FormatSignatureTimestamp(now);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(BenchEvents.Secret, timestamp, body));
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode == 200;
    }
}
