using System.Text.Json;

namespace Herald.Receiver.Events;

/// <summary>The <c>data.error</c> object of a failed operation.</summary>
public sealed class WebhookError
{
    /// <summary>The error code, for example <c>issuer_declined</c> or <c>validation_error</c>.</summary>
    public string Code { get; init; } = string.Empty;

    /// <summary>A human-readable message.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The request parameter at fault; only for <c>validation_error</c>.</summary>
    public string? Source { get; init; }

    /// <summary>The provider's original response code; only for <c>provider_declined</c> and <c>issuer_declined</c>.</summary>
    public string? ProviderOriginalResponseCode { get; init; }

    internal static WebhookError Read(JsonElement error) => new()
    {
        Code = JsonRead.String(error, "code") ?? string.Empty,
        Message = JsonRead.String(error, "message") ?? string.Empty,
        Source = JsonRead.String(error, "source"),
        ProviderOriginalResponseCode = JsonRead.String(error, "provider_original_response_code", "providerOriginalResponseCode"),
    };
}
