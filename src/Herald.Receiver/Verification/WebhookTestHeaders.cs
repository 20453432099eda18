using System.Net.Http.Headers;
using Herald.Contracts.Signing;

namespace Herald.Receiver;

/// <summary>The signing headers for a test request, made by <see cref="HeraldWebhook.GenerateTestHeaders(string, ReadOnlySpan{byte}, DateTimeOffset?)"/>.</summary>
/// <param name="Timestamp">The <c>x-timestamp</c> value (Unix milliseconds).</param>
/// <param name="Signature">The <c>x-signature</c> value (lowercase hex HMAC-SHA256).</param>
public sealed record WebhookTestHeaders(string Timestamp, string Signature)
{
    /// <summary>Adds <c>x-timestamp</c> and <c>x-signature</c> to request headers.</summary>
    /// <param name="headers">For example <c>HttpRequestMessage.Headers</c>.</param>
    public void ApplyTo(HttpHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Remove(WebhookSignature.TimestampHeader);
        headers.Remove(WebhookSignature.SignatureHeader);
        headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, Timestamp);
        headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, Signature);
    }
}
