using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Herald.Contracts.Envelope;

/// <summary>The envelope's <c>created_at</c> format: UTC, whole seconds, <c>yyyy-MM-ddTHH:mm:ss+0000</c>.</summary>
public static class WebhookTimestamps
{
    /// <summary>The exact format Herald writes (no colon in the offset, whole seconds).</summary>
    public const string CreatedAtFormat = "yyyy-MM-dd'T'HH:mm:ss'+0000'";

    // The largest instant DateTimeOffset can hold, in Unix milliseconds (9999-12-31T23:59:59.999Z): 15 digits.
    private static readonly long MaxUnixTimeMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

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

    /// <summary>
    /// Parses UTF-8 text exactly as <see cref="TryParse(string?, out DateTimeOffset)"/> parses the same text decoded,
    /// without allocating for the usual shape (<c>2026-05-20T13:54:20+0000</c>, or with <c>Z</c> or <c>+00:00</c>).
    /// Text that is not valid UTF-8 is not an instant.
    /// </summary>
    /// <param name="utf8Text">The text as UTF-8 bytes, for example a JSON string's value.</param>
    /// <param name="instant">The parsed instant.</param>
    /// <returns>Whether the text is an ISO 8601 instant with an offset.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out DateTimeOffset instant)
    {
        if (TryParseCanonical(utf8Text, out instant))
        {
            return true;
        }

        // Anything else goes through the general parser; decoding fails (and so does the parse) on invalid UTF-8.
        const int Longest = 256;
        if (utf8Text.Length > Longest)
        {
            return TryParse(DecodeOrNull(utf8Text), out instant);
        }

        Span<char> chars = stackalloc char[Longest];
        if (Utf8.ToUtf16(utf8Text, chars, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            instant = default;
            return false;
        }

        return TryParse(new string(chars[..written]), out instant);
    }

    /// <summary>Formats Unix milliseconds the way the <c>x-timestamp</c> header carries them.</summary>
    /// <param name="instant">The signing instant.</param>
    /// <returns>Decimal digits of Unix milliseconds.</returns>
    public static string FormatSignatureTimestamp(DateTimeOffset instant) =>
        instant.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an <c>x-timestamp</c> header value: decimal digits of Unix milliseconds, surrounding whitespace
    /// allowed. Never throws: signs, fractions, other characters and instants past the year 9999 are not timestamps.
    /// </summary>
    /// <param name="text">The header value.</param>
    /// <param name="unixTimeMilliseconds">The signing time in Unix milliseconds, from 0 to 253402300799999.</param>
    /// <returns>Whether <paramref name="text"/> is a signature timestamp.</returns>
    public static bool TryParseSignatureTimestamp(ReadOnlySpan<char> text, out long unixTimeMilliseconds)
    {
        unixTimeMilliseconds = 0;
        var digits = text.Trim();

        // 15 digits reach the year 9999; more can only be out of range (or overflow a long).
        if (digits.IsEmpty || digits.Length > 15)
        {
            return false;
        }

        long value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        if (value > MaxUnixTimeMilliseconds)
        {
            return false;
        }

        unixTimeMilliseconds = value;
        return true;
    }

    private static string? DecodeOrNull(ReadOnlySpan<byte> utf8Text)
    {
        var chars = new char[utf8Text.Length];
        return Utf8.ToUtf16(utf8Text, chars, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
            ? new string(chars, 0, written)
            : null;
    }

    /// <summary>Reads exactly <c>yyyy-MM-ddTHH:mm:ss</c> then <c>Z</c>, <c>±hhmm</c> or <c>±hh:mm</c>; anything else is left to the general parser.</summary>
    private static bool TryParseCanonical(ReadOnlySpan<byte> text, out DateTimeOffset instant)
    {
        instant = default;
        if (text.Length is < 20 or > 25 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var zone = text[19..];
        int offsetMinutes;
        if (zone.Length == 1 && zone[0] == 'Z')
        {
            offsetMinutes = 0;
        }
        else if (zone.Length is 5 or 6 && zone[0] is (byte)'+' or (byte)'-' && (zone.Length == 5 || zone[3] == ':')
            && TryDigits(zone.Slice(1, 2), out var offsetHours) && TryDigits(zone[^2..], out var offsetRest) && offsetRest < 60
            && (offsetHours * 60) + offsetRest <= 14 * 60)
        {
            offsetMinutes = ((offsetHours * 60) + offsetRest) * (zone[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        // Years 1 and 9999 are left to the general parser: shifting by the offset could leave DateTime's range.
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddMinutes(-offsetMinutes);
        instant = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }
}
