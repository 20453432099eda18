using System.Buffers;
using System.Text;

namespace Herald.Contracts.Json;

/// <summary>Writes strings as JavaScript's <c>JSON.stringify</c> does: literal UTF-8, escaping only what JSON requires.</summary>
internal static class JavaScriptString
{
    // JSON.stringify's short escapes for U+0008, U+0009, U+000A, U+000C, U+000D; other controls use \u00xx.
    private static ReadOnlySpan<byte> ShortEscapes => "\0\0\0\0\0\0\0\0btn\0fr"u8;

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>Writes one Unicode scalar value and returns the bytes written (at most 6).</summary>
    public static int WriteCodePoint(int codePoint, Span<byte> destination)
    {
        if (codePoint < 0x20)
        {
            destination[0] = (byte)'\\';
            if (codePoint < ShortEscapes.Length && ShortEscapes[codePoint] != 0)
            {
                destination[1] = ShortEscapes[codePoint];
                return 2;
            }

            "u00"u8.CopyTo(destination[1..]);
            destination[4] = HexDigits[codePoint >> 4];
            destination[5] = HexDigits[codePoint & 0xF];
            return 6;
        }

        if (codePoint is '"' or '\\')
        {
            destination[0] = (byte)'\\';
            destination[1] = (byte)codePoint;
            return 2;
        }

        return new Rune(codePoint).EncodeToUtf8(destination);
    }

    /// <summary>Writes <paramref name="value"/> as a quoted JSON string.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a lone surrogate.</exception>
    public static void WriteQuoted(IBufferWriter<byte> writer, string value, string parameterName)
    {
        // Each UTF-16 unit becomes at most 6 bytes (a \u00xx escape); a surrogate pair becomes 4.
        var output = writer.GetSpan((value.Length * 6) + 2);
        output[0] = (byte)'"';
        var written = 1;
        var text = value.AsSpan();
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != OperationStatus.Done)
            {
                throw new ArgumentException($"The text holds a lone UTF-16 surrogate at index {value.Length - text.Length}; JSON text must be valid Unicode.", parameterName);
            }

            written += WriteCodePoint(rune.Value, output[written..]);
            text = text[consumed..];
        }

        output[written++] = (byte)'"';
        writer.Advance(written);
    }
}
