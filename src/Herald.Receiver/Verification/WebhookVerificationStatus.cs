namespace Herald.Receiver;

/// <summary>The outcome of checking a webhook request's <c>x-timestamp</c> and <c>x-signature</c>.</summary>
public enum WebhookVerificationStatus
{
    /// <summary>The signature matches one of the secrets and the timestamp is within the tolerance.</summary>
    Valid = 0,

    /// <summary>The <c>x-timestamp</c> header is absent or empty.</summary>
    MissingTimestamp,

    /// <summary>The <c>x-signature</c> header is absent or empty.</summary>
    MissingSignature,

    /// <summary>The <c>x-timestamp</c> header is not Unix milliseconds as decimal digits.</summary>
    MalformedTimestamp,

    /// <summary>The <c>x-signature</c> header is not 64 hex characters.</summary>
    MalformedSignature,

    /// <summary>The signature matches but the timestamp is further from now than the tolerance (replayed, or a clock is off).</summary>
    TimestampOutsideTolerance,

    /// <summary>The signature does not match any configured secret for this timestamp and body.</summary>
    SignatureMismatch,

    /// <summary>No secret is configured, so nothing can be verified.</summary>
    NoSecretConfigured,
}
