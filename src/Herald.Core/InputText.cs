using System.Globalization;

namespace Herald.Core;

/// <summary>
/// The one rule for text that callers send in identifiers, names, URLs, descriptions, query parameters and credentials:
/// no C0 control characters (U+0000–U+001F), no DEL (U+007F) and no unpaired UTF-16 surrogates. PostgreSQL cannot store
/// U+0000 in text at all, and the others only ever arrive by mistake or as an attack (log injection, header splitting),
/// so both stores refuse them alike, before anything is stored or looked up. Event <c>data</c> is not text in this sense:
/// it is stored as JSON bytes and may carry escaped control characters.
/// </summary>
internal static class InputText
{
    /// <summary>Why <paramref name="value"/> is not acceptable text, or null when it is.</summary>
    public static string? Problem(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < '\u0020' || c == '\u007f')
            {
                return $"contains the control character U+{(int)c:X4} at position {i.ToString(CultureInfo.InvariantCulture)}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"contains an unpaired UTF-16 surrogate (U+{(int)c:X4}) at position {i.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return null;
    }

    /// <summary>Throws a validation error naming <paramref name="field"/> when <paramref name="value"/> breaks the rule.</summary>
    public static void Require(string? value, string field)
    {
        if (value is not null && Problem(value) is { } problem)
        {
            throw HeraldException.Validation($"{field} {problem}; send printable text only.", field);
        }
    }
}
