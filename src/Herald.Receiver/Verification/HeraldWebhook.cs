using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Receiver.Events;

namespace Herald.Receiver;

/// <summary>
/// One-call helpers for verifying and parsing webhooks sent by Airwallex or a Herald server, and for signing
/// test requests. For several secrets (rotation) or a custom clock, use a <see cref="WebhookVerifier"/>.
/// </summary>
public static class HeraldWebhook
{
    /// <summary>The default tolerance between <c>x-timestamp</c> and now, either way: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Checks the headers and raw body of a request against one secret. Never throws for bad input.</summary>
    /// <param name="body">The raw request body bytes exactly as received.</param>
    /// <param name="timestamp">The <c>x-timestamp</c> header value, or <see langword="null"/>.</param>
    /// <param name="signature">The <c>x-signature</c> header value, or <see langword="null"/>.</param>
    /// <param name="secret">The endpoint secret exactly as shown, including the <c>whsec_</c> prefix.</param>
    /// <param name="tolerance">How far the timestamp may be from now; default 5 minutes.</param>
    /// <param name="timeProvider">The clock; default the system clock.</param>
    /// <returns>The verification result.</returns>
    public static WebhookVerificationResult Verify(ReadOnlySpan<byte> body, string? timestamp, string? signature, string secret, TimeSpan? tolerance = null, TimeProvider? timeProvider = null) =>
        new WebhookVerifier([secret ?? throw new ArgumentNullException(nameof(secret))], tolerance, timeProvider).Verify(timestamp, signature, body);

    /// <summary>Verifies a request against one secret, then parses it into a typed event.</summary>
    /// <param name="body">The raw request body bytes exactly as received.</param>
    /// <param name="timestamp">The <c>x-timestamp</c> header value.</param>
    /// <param name="signature">The <c>x-signature</c> header value.</param>
    /// <param name="secret">The endpoint secret exactly as shown, including the <c>whsec_</c> prefix.</param>
    /// <param name="tolerance">How far the timestamp may be from now; default 5 minutes.</param>
    /// <param name="timeProvider">The clock; default the system clock.</param>
    /// <returns>The typed event.</returns>
    /// <exception cref="WebhookVerificationException">The request is not authentic or not fresh; the message says how to fix it.</exception>
    /// <exception cref="FormatException">The body is authentic but is not a webhook event envelope.</exception>
    public static WebhookEvent ConstructEvent(ReadOnlySpan<byte> body, string? timestamp, string? signature, string secret, TimeSpan? tolerance = null, TimeProvider? timeProvider = null) =>
        new WebhookVerifier([secret ?? throw new ArgumentNullException(nameof(secret))], tolerance, timeProvider).ConstructEvent(timestamp, signature, body);

    /// <summary>
    /// Parses a body into a typed event <b>without verifying it</b>. Use only for bodies that were verified before
    /// (for example, replayed from your own store) or in tests.
    /// </summary>
    /// <param name="body">The envelope JSON as UTF-8.</param>
    /// <returns>The typed event (<see cref="UnknownWebhookEvent"/> for names this version does not know).</returns>
    /// <exception cref="FormatException">The body is not a webhook event envelope.</exception>
    public static WebhookEvent ParseEvent(ReadOnlySpan<byte> body) => WebhookEventParser.Parse(body);

    /// <summary>Signs a body the way Airwallex and Herald do, for your own tests.</summary>
    /// <param name="secret">The secret the receiver under test is configured with.</param>
    /// <param name="body">The exact body bytes the test will send.</param>
    /// <param name="timestamp">The signing time; default now on the system clock.</param>
    /// <returns>The <c>x-timestamp</c> and <c>x-signature</c> header values.</returns>
    public static WebhookTestHeaders GenerateTestHeaders(string secret, ReadOnlySpan<byte> body, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var text = WebhookTimestamps.FormatSignatureTimestamp(timestamp ?? TimeProvider.System.GetUtcNow());
        return new WebhookTestHeaders(text, WebhookSignature.Sign(secret, text, body));
    }
}
