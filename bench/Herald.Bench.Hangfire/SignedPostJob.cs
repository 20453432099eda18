using Hangfire;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;

namespace Herald.Bench.Hangfire;

/// <summary>
/// One delivery as a Hangfire job: sign the envelope with a fresh timestamp and POST it; anything but 200 throws,
/// so Hangfire retries it like Herald would.
/// </summary>
public sealed class SignedPostJob(HttpClient client)
{
    [AutomaticRetry(Attempts = 10)]
    public async Task SendAsync(string url, string body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        var timestamp = WebhookTimestamps.FormatSignatureTimestamp(TimeProvider.System.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(BenchEvents.Secret, timestamp, bytes));
        using var response = await client.SendAsync(request);
        if ((int)response.StatusCode != 200)
        {
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode}");
        }
    }
}
