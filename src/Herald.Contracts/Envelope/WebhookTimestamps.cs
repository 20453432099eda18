using System.Globalization;

namespace Herald.Contracts.Envelope;

/// <summary>The envelope's <c>created_at</c> format: UTC, whole seconds, <c>yyyy-MM-ddTHH:mm:ss+0000</c>.</summary>
public static class WebhookTimestamps
{
    /// <summary>The exact format Herald writes (no colon in the offset, whole seconds).</summary>
    public const string CreatedAtFormat = "yyyy-MM-dd'T'HH:mm:ss'+0000'";

    /// <summary>Formats an instant as an envelope <c>created_at</c>, truncated to whole seconds in UTC.</summary>
    /// <param name="instant">Any instant.</param>
    /// <returns>For example <c>2026-05-20T13:54:20+0000</c>.</returns>
    public static string FormatCreatedAt(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString(CreatedAtFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an ISO 8601 instant as producers and Airwallex write it: with <c>Z</c>, <c>+0000</c>,
    /// <c>+00:00</c> or any other offset, with or without fractional seconds.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="instant">The parsed instant.</param>
    /// <returns>Whether <paramref name="text"/> is an ISO 8601 instant with an offset.</returns>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length < 20 || text[10] is not ('T' or 't'))
        {
            return false;
        }

        // DateTimeOffset accepts "+00:00" and "Z" but not "+0000"; insert the colon so all three parse.
        var normalized = text;
        var length = text.Length;
        if (length >= 5 && (text[length - 5] is '+' or '-') && char.IsAsciiDigit(text[length - 1]) && text[length - 3] != ':')
        {
            normalized = string.Concat(text.AsSpan(0, length - 2), ":", text.AsSpan(length - 2));
        }

        var hasOffset = normalized.EndsWith('Z') || normalized.EndsWith('z') || (normalized.Length > 6 && normalized[^6] is '+' or '-');
        return hasOffset && DateTimeOffset.TryParse(
            normalized,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces,
            out instant);
    }

    /// <summary>Formats Unix milliseconds the way the <c>x-timestamp</c> header carries them.</summary>
    /// <param name="instant">The signing instant.</param>
    /// <returns>Decimal digits of Unix milliseconds.</returns>
    public static string FormatSignatureTimestamp(DateTimeOffset instant) =>
        instant.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
