using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Herald.Contracts.Json;

/// <summary>
/// Rewrites JSON into the exact bytes JavaScript's <c>JSON.stringify(JSON.parse(json))</c> gives back, so that a
/// receiver that verifies the signature over re-serialized JSON (as Airwallex's Node example does) still verifies.
/// </summary>
/// <remarks>
/// <para>The canonical form: no whitespace; keys in JavaScript's order (keys that are array indices,
/// <c>"0"</c> to <c>"4294967294"</c>, first in ascending numeric order, then the others as given); strings as
/// literal UTF-8 with only <c>"</c>, <c>\</c> and U+0000–U+001F escaped, the way <c>JSON.stringify</c> escapes
/// them (<c>\b \t \n \f \r</c>, otherwise <c>\u00xx</c>); numbers in JavaScript's <c>Number.prototype.toString</c>
/// spelling (<c>10.50</c> → <c>10.5</c>, <c>1e3</c> → <c>1000</c>, <c>-0</c> → <c>0</c>, <c>1e21</c> →
/// <c>1e+21</c>).</para>
/// <para>No value is ever changed: a number whose JavaScript spelling would denote another decimal value (integers
/// beyond 2^53 such as <c>12345678901234567890</c>, more digits than a double holds, <c>1e400</c>) keeps the
/// producer's spelling; no spelling of such a number survives <c>JSON.parse</c>.</para>
/// <para>Refused, with the JSON path of the offending value: invalid JSON, invalid UTF-8, strings holding a lone
/// UTF-16 surrogate (<c>"\ud800"</c>), an object holding the same key twice (<c>JSON.parse</c> would silently keep
/// the last), nesting deeper than <see cref="MaxDepth"/> and input larger than <see cref="MaxInputBytes"/>.</para>
/// <para>Thread-safe. Time is linear in the input; the output is at most about six times the input (only number
/// spellings such as <c>1e20</c> grow).</para>
/// </remarks>
public static class CanonicalJson
{
    /// <summary>The deepest nesting of objects and arrays accepted (the root container is depth 1).</summary>
    public const int MaxDepth = 64;

    /// <summary>The largest input accepted, in bytes (16 MiB); callers normally enforce a smaller request limit.</summary>
    public const int MaxInputBytes = 16 * 1024 * 1024;

    /// <summary>Canonicalizes a JSON value.</summary>
    /// <param name="utf8Json">One complete JSON value as UTF-8, without a byte order mark.</param>
    /// <param name="path">
    /// The path of <paramref name="utf8Json"/> in the caller's document, prefixed to error paths (for example
    /// <c>data</c> gives <c>data.object.note</c>); <see langword="null"/> or empty for none.
    /// </param>
    /// <returns>The canonical bytes, or the reason and the path of the offending value.</returns>
    public static CanonicalJsonResult Canonicalize(ReadOnlySpan<byte> utf8Json, string? path = null)
    {
        var canonicalizer = JsonCanonicalizer.Rent();
        try
        {
            var error = canonicalizer.Run(utf8Json, path);
            return error is null ? new CanonicalJsonResult(canonicalizer.Written.ToArray()) : new CanonicalJsonResult(error);
        }
        finally
        {
            JsonCanonicalizer.Return(canonicalizer);
        }
    }

    /// <summary>Canonicalizes a JSON value into <paramref name="destination"/>; nothing is written when it fails.</summary>
    /// <param name="utf8Json">One complete JSON value as UTF-8, without a byte order mark.</param>
    /// <param name="destination">Receives the canonical bytes.</param>
    /// <param name="path">The path of <paramref name="utf8Json"/> in the caller's document, prefixed to error paths.</param>
    /// <param name="error">Why the input was refused, with the path of the offending value.</param>
    /// <returns>Whether the input was canonicalized.</returns>
    public static bool TryCanonicalize(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> destination, string? path, [NotNullWhen(false)] out CanonicalJsonError? error)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var canonicalizer = JsonCanonicalizer.Rent();
        try
        {
            error = canonicalizer.Run(utf8Json, path);
            if (error is not null)
            {
                return false;
            }

            destination.Write(canonicalizer.Written);
            return true;
        }
        finally
        {
            JsonCanonicalizer.Return(canonicalizer);
        }
    }

    /// <summary>
    /// Canonicalizes a parsed value from its original bytes (<see cref="JsonMarshal.GetRawUtf8Value"/>), so number
    /// spellings, escapes, duplicate keys and invalid UTF-8 are seen as the producer sent them. Prefer this to
    /// <see cref="JsonElement.WriteTo"/> or <see cref="JsonElement.GetRawText"/>, which replace or reject bad text.
    /// </summary>
    /// <param name="value">A value of a live <see cref="JsonDocument"/>.</param>
    /// <param name="destination">Receives the canonical bytes.</param>
    /// <param name="path">The path of <paramref name="value"/> in the caller's document, prefixed to error paths.</param>
    /// <param name="error">Why the value was refused, with the path of the offending value.</param>
    /// <returns>Whether the value was canonicalized.</returns>
    public static bool TryCanonicalize(JsonElement value, IBufferWriter<byte> destination, string? path, [NotNullWhen(false)] out CanonicalJsonError? error) =>
        TryCanonicalize(JsonMarshal.GetRawUtf8Value(value), destination, path, out error);
}
