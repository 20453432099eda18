namespace Herald.Receiver;

/// <summary>The result of <see cref="WebhookVerifier.Verify(string?, string?, ReadOnlySpan{byte})"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="SecretIndex">The index of the secret that matched (for rotation: tells which one is in use); -1 when none did.</param>
/// <param name="SignedAt">The parsed <c>x-timestamp</c>, when it was well-formed.</param>
public readonly record struct WebhookVerificationResult(WebhookVerificationStatus Status, int SecretIndex, DateTimeOffset? SignedAt)
{
    /// <summary>Whether the request is authentic and fresh.</summary>
    public bool IsValid => Status == WebhookVerificationStatus.Valid;

    /// <summary>A short text safe to return to the sender: it never reveals secrets or the expected signature.</summary>
    public string PublicMessage => Status switch
    {
        WebhookVerificationStatus.Valid => "ok",
        WebhookVerificationStatus.MissingTimestamp => "missing x-timestamp header",
        WebhookVerificationStatus.MissingSignature => "missing x-signature header",
        WebhookVerificationStatus.MalformedTimestamp => "malformed x-timestamp header",
        WebhookVerificationStatus.MalformedSignature => "malformed x-signature header",
        WebhookVerificationStatus.TimestampOutsideTolerance => "x-timestamp outside the tolerance window",
        WebhookVerificationStatus.SignatureMismatch => "x-signature does not match",
        WebhookVerificationStatus.NoSecretConfigured => "receiver has no signing secret configured",
        _ => "invalid request",
    };

    /// <summary>A message for developers that says how to fix the problem (used by <see cref="WebhookVerificationException"/>).</summary>
    public string Explanation => Status switch
    {
        WebhookVerificationStatus.Valid => "The request is valid.",
        WebhookVerificationStatus.MissingTimestamp =>
            "The x-timestamp header is missing. Pass the header value exactly as received; every Airwallex and Herald delivery carries it.",
        WebhookVerificationStatus.MissingSignature =>
            "The x-signature header is missing. The sender signs only when the webhook has a secret: configure one on the webhook, or pass the header value exactly as received.",
        WebhookVerificationStatus.MalformedTimestamp =>
            "The x-timestamp header is not Unix time in milliseconds as decimal digits. Pass the header value exactly as received.",
        WebhookVerificationStatus.MalformedSignature =>
            "The x-signature header is not 64 hexadecimal characters (an HMAC-SHA256 digest). Pass the header value exactly as received.",
        WebhookVerificationStatus.TimestampOutsideTolerance =>
            "The signature matches but x-timestamp is outside the tolerance window: the request was replayed or a clock is wrong. Check the receiving machine's clock (NTP) or widen the tolerance.",
        WebhookVerificationStatus.SignatureMismatch =>
            "x-signature does not match the x-timestamp and body for any configured secret. Make sure you pass the raw request body bytes, not re-serialized JSON, and the endpoint's secret exactly as shown, including the whsec_ prefix.",
        WebhookVerificationStatus.NoSecretConfigured =>
            "No signing secret is configured. Copy the webhook's secret (it starts with whsec_) into the receiver's configuration.",
        _ => "The request could not be verified.",
    };
}
