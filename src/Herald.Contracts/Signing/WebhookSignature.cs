using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Contracts.Signing;

/// <summary>
/// The <c>x-signature</c> scheme of the Airwallex webhook contract: lowercase hex of HMAC-SHA256 with the
/// endpoint secret's UTF-8 bytes as key (the <c>whsec_</c> prefix included, nothing base64-decoded) over the
/// UTF-8 bytes of the <c>x-timestamp</c> string immediately followed by the raw request body.
/// </summary>
/// <remarks>
/// Verification always works on the raw body bytes: parsing and re-serializing JSON changes the bytes and
/// therefore the signature. Comparisons are constant-time.
/// </remarks>
public static class WebhookSignature
{
    /// <summary>The header that carries the Unix time in milliseconds at which the request was signed.</summary>
    public const string TimestampHeader = "x-timestamp";

    /// <summary>The header that carries the lowercase hex HMAC-SHA256 digest.</summary>
    public const string SignatureHeader = "x-signature";

    /// <summary>The length of a signature in hex characters.</summary>
    public const int SignatureHexLength = HMACSHA256.HashSizeInBytes * 2;

    // Bodies up to this size are hashed from a stack buffer; larger ones rent from the shared pool.
    private const int StackThreshold = 1024;

    /// <summary>Signs <paramref name="body"/> as sent at <paramref name="timestamp"/> (the <c>x-timestamp</c> text).</summary>
    /// <param name="secret">The endpoint secret exactly as stored, prefix included.</param>
    /// <param name="timestamp">The <c>x-timestamp</c> header value: Unix milliseconds as decimal digits.</param>
    /// <param name="body">The raw request body.</param>
    /// <returns>The lowercase hex digest to send as <c>x-signature</c>.</returns>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeDigest(secret, timestamp, body, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Signs <paramref name="body"/> with a timestamp given as Unix milliseconds.</summary>
    /// <param name="secret">The endpoint secret exactly as stored, prefix included.</param>
    /// <param name="unixTimeMilliseconds">The signing time in Unix milliseconds.</param>
    /// <param name="body">The raw request body.</param>
    /// <returns>The lowercase hex digest to send as <c>x-signature</c>.</returns>
    public static string Sign(string secret, long unixTimeMilliseconds, ReadOnlySpan<byte> body) =>
        Sign(secret, unixTimeMilliseconds.ToString(CultureInfo.InvariantCulture), body);

    /// <summary>
    /// Checks <paramref name="signature"/> against the digest of <paramref name="timestamp"/> and
    /// <paramref name="body"/> in constant time. Upper- and lowercase hex are both accepted.
    /// </summary>
    /// <param name="secret">The endpoint secret exactly as stored, prefix included.</param>
    /// <param name="timestamp">The received <c>x-timestamp</c> header value.</param>
    /// <param name="body">The raw request body bytes, exactly as received.</param>
    /// <param name="signature">The received <c>x-signature</c> header value.</param>
    /// <returns><see langword="true"/> when the signature matches.</returns>
    public static bool IsValid(string secret, string timestamp, ReadOnlySpan<byte> body, ReadOnlySpan<char> signature)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);
        Span<byte> received = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!TryDecodeSignature(signature, received))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeDigest(secret, timestamp, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>
    /// Decodes a hex signature into its 32 digest bytes. Returns <see langword="false"/> when the text is not
    /// exactly 64 hex characters.
    /// </summary>
    /// <param name="signature">The hex text.</param>
    /// <param name="digest">Receives 32 bytes.</param>
    /// <returns>Whether the text was a well-formed signature.</returns>
    public static bool TryDecodeSignature(ReadOnlySpan<char> signature, Span<byte> digest)
    {
        if (signature.Length != SignatureHexLength || digest.Length < HMACSHA256.HashSizeInBytes)
        {
            return false;
        }

        return Convert.FromHexString(signature, digest, out _, out var written) == OperationStatus.Done
            && written == HMACSHA256.HashSizeInBytes;
    }

    /// <summary>Computes the raw 32-byte digest of timestamp and body.</summary>
    /// <param name="secret">The endpoint secret exactly as stored, prefix included.</param>
    /// <param name="timestamp">The <c>x-timestamp</c> text.</param>
    /// <param name="body">The raw body.</param>
    /// <param name="destination">Receives 32 bytes.</param>
    public static void ComputeDigest(string secret, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(timestamp);

        var keyLength = Encoding.UTF8.GetByteCount(secret);
        byte[]? rentedKey = null;
        var key = keyLength <= 256 ? stackalloc byte[keyLength] : (rentedKey = ArrayPool<byte>.Shared.Rent(keyLength)).AsSpan(0, keyLength);

        // A timestamp is 13 digits; anything longer than this stack buffer is not a real header but still signs.
        var timestampLength = Encoding.UTF8.GetByteCount(timestamp);
        byte[]? rentedTimestamp = null;
        var timestampBytes = timestampLength <= 64
            ? stackalloc byte[timestampLength]
            : (rentedTimestamp = ArrayPool<byte>.Shared.Rent(timestampLength)).AsSpan(0, timestampLength);
        try
        {
            Encoding.UTF8.GetBytes(secret, key);
            Encoding.UTF8.GetBytes(timestamp, timestampBytes);
            ComputeDigest(key, timestampBytes, body, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (rentedKey is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedKey);
            }

            if (rentedTimestamp is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedTimestamp);
            }
        }
    }

    /// <summary>
    /// Computes the raw 32-byte digest from an already encoded key and timestamp: for verifiers that encode the
    /// secret once and check many requests. Same result as <see cref="ComputeDigest(string, string, ReadOnlySpan{byte}, Span{byte})"/>.
    /// </summary>
    /// <param name="key">The UTF-8 bytes of the endpoint secret, prefix included.</param>
    /// <param name="timestamp">The UTF-8 (in practice ASCII) bytes of the <c>x-timestamp</c> text.</param>
    /// <param name="body">The raw body.</param>
    /// <param name="destination">Receives 32 bytes.</param>
    public static void ComputeDigest(ReadOnlySpan<byte> key, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        // One contiguous message keeps this a single one-shot HMAC call (no per-call HMAC object), which costs
        // less than an incremental HMAC; the copy is a memcpy, a few percent of hashing the same bytes.
        var messageLength = timestamp.Length + body.Length;
        byte[]? rentedMessage = null;
        var message = messageLength <= StackThreshold
            ? stackalloc byte[messageLength]
            : (rentedMessage = ArrayPool<byte>.Shared.Rent(messageLength)).AsSpan(0, messageLength);
        try
        {
            timestamp.CopyTo(message);
            body.CopyTo(message[timestamp.Length..]);
            HMACSHA256.HashData(key, message, destination);
        }
        finally
        {
            if (rentedMessage is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedMessage);
            }
        }
    }
}
