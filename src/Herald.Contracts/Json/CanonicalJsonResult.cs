using System.Diagnostics.CodeAnalysis;

namespace Herald.Contracts.Json;

/// <summary>The outcome of <see cref="CanonicalJson.Canonicalize"/>: the canonical bytes or why there are none.</summary>
public sealed class CanonicalJsonResult
{
    internal CanonicalJsonResult(byte[] utf8Json) => Utf8Json = utf8Json;

    internal CanonicalJsonResult(CanonicalJsonError error) => Error = error;

    /// <summary>Whether the input was canonicalized; then <see cref="Utf8Json"/> is set, otherwise <see cref="Error"/>.</summary>
    [MemberNotNullWhen(true, nameof(Utf8Json))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The canonical UTF-8 bytes, when <see cref="IsSuccess"/>.</summary>
    public byte[]? Utf8Json { get; }

    /// <summary>Why the input was refused, when not <see cref="IsSuccess"/>.</summary>
    public CanonicalJsonError? Error { get; }
}
