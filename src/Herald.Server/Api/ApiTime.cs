using Herald.Contracts.Envelope;

namespace Herald.Server.Api;

/// <summary>Instants in API responses use the envelope's <c>created_at</c> format: <c>2026-05-20T13:54:20+0000</c>.</summary>
internal static class ApiTime
{
    public static string Format(long unixMilliseconds) => WebhookTimestamps.FormatCreatedAt(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds));

    public static string? Format(long? unixMilliseconds) => unixMilliseconds is { } value ? Format(value) : null;

    /// <summary>Reads an optional instant from a query string value; <paramref name="name"/> names it in the error.</summary>
    public static long? ParseQuery(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return WebhookTimestamps.TryParse(text, out var instant)
            ? instant.ToUnixTimeMilliseconds()
            : throw Herald.Core.HeraldException.Validation($"{name} must be an ISO 8601 instant with an offset, e.g. 2026-05-20T13:54:20+0000.", name);
    }
}
