namespace Herald.Receiver;

/// <summary>Thrown by <see cref="HeraldWebhook.ConstructEvent(ReadOnlySpan{byte}, string?, string?, string, TimeSpan?, TimeProvider?)"/> when a request is not authentic, fresh or well-formed.</summary>
public sealed class WebhookVerificationException : Exception
{
    /// <summary>Creates an exception for a failed verification.</summary>
    /// <param name="status">Why verification failed.</param>
    public WebhookVerificationException(WebhookVerificationStatus status)
        : base(new WebhookVerificationResult(status, -1, null).Explanation)
    {
        Status = status;
    }

    /// <summary>Creates an exception with a custom message.</summary>
    public WebhookVerificationException()
        : this(WebhookVerificationStatus.SignatureMismatch)
    {
    }

    /// <summary>Creates an exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public WebhookVerificationException(string message)
        : base(message)
    {
        Status = WebhookVerificationStatus.SignatureMismatch;
    }

    /// <summary>Creates an exception with a custom message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public WebhookVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = WebhookVerificationStatus.SignatureMismatch;
    }

    /// <summary>Why verification failed.</summary>
    public WebhookVerificationStatus Status { get; }
}
