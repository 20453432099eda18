namespace Herald.Contracts.Json;

/// <summary>Why JSON was refused and where: <see cref="Path"/> names the offending value, e.g. <c>data.object.note</c>.</summary>
public sealed class CanonicalJsonError
{
    internal CanonicalJsonError(CanonicalJsonErrorKind kind, string message, string path)
    {
        Kind = kind;
        Message = message;
        Path = path;
    }

    /// <summary>The kind of problem.</summary>
    public CanonicalJsonErrorKind Kind { get; }

    /// <summary>A sentence for the producer that names the path and says what to change.</summary>
    public string Message { get; }

    /// <summary>
    /// The path of the offending value: the caller's prefix, then <c>.key</c> for simple keys (letters, digits,
    /// <c>_</c>, <c>-</c>, <c>$</c>, not starting with a digit), <c>["key"]</c> (JSON-escaped) for others and <c>[index]</c> for array elements. For a
    /// property name that is itself invalid, the path of its object. Empty when the root itself is at fault and no
    /// prefix was given.
    /// </summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>The kinds of JSON that <see cref="CanonicalJson"/> refuses.</summary>
public enum CanonicalJsonErrorKind
{
    /// <summary>Not one complete JSON value (RFC 8259): a syntax error, trailing data, a byte order mark, empty input.</summary>
    InvalidJson = 1,

    /// <summary>Bytes that are not well-formed UTF-8 inside a string or property name.</summary>
    InvalidUtf8,

    /// <summary>A <c>\uD800</c>–<c>\uDFFF</c> escape that is not half of a surrogate pair: not a Unicode character.</summary>
    LoneSurrogate,

    /// <summary>An object holding the same property name twice.</summary>
    DuplicateKey,

    /// <summary>Objects and arrays nested deeper than <see cref="CanonicalJson.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>Input longer than <see cref="CanonicalJson.MaxInputBytes"/>.</summary>
    TooLarge,
}
