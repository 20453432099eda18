using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Receiver.Events;

namespace Herald.Receiver;

/// <summary>
/// Verifies <c>x-timestamp</c> and <c>x-signature</c> over the raw request body against one or more secrets
/// (several during a secret rotation), with a tolerance window on both sides of now. Immutable and thread-safe:
/// create one per endpoint and reuse it.
/// </summary>
/// <remarks>
/// The digest is computed by <see cref="WebhookSignature"/> (HMAC-SHA256 of the timestamp text followed by the
/// body bytes, keyed by the secret's UTF-8 bytes including the <c>whsec_</c> prefix) and compared in constant time.
/// The signature is checked first, then the timestamp, as the Airwallex documentation orders it.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The per-thread HMAC states are finalizable and live as long as the verifier, which is created once per endpoint and shared.")]
public sealed class WebhookVerifier
{
    private readonly string[] _secrets;

    // The secrets' UTF-8 bytes, encoded once here rather than on every request.
    private readonly byte[][] _keys;
    private readonly TimeProvider _timeProvider;
    private readonly long _toleranceMilliseconds;

    // Keyed HMAC states for the calling thread. The verifier lives as long as its endpoint; when it is collected,
    // the states go with it (their handles are finalizable).
    private readonly ThreadLocal<IncrementalHash[]> _hmacs;

    /// <summary>Creates a verifier.</summary>
    /// <param name="secrets">The endpoint secrets exactly as shown (prefix included); empty strings are ignored.</param>
    /// <param name="tolerance">How far <c>x-timestamp</c> may be from now, either way; default <see cref="HeraldWebhook.DefaultTolerance"/> (5 minutes). <see cref="Timeout.InfiniteTimeSpan"/> disables the check.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = [.. secrets.Where(secret => !string.IsNullOrEmpty(secret))];
        _keys = [.. _secrets.Select(Encoding.UTF8.GetBytes)];
        var window = tolerance ?? HeraldWebhook.DefaultTolerance;
        if (window != Timeout.InfiniteTimeSpan && window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), window, "The tolerance must be positive, or Timeout.InfiniteTimeSpan to disable the timestamp check.");
        }

        _toleranceMilliseconds = window == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)window.TotalMilliseconds;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _hmacs = new ThreadLocal<IncrementalHash[]>(KeyedHmacs);
    }

    /// <summary>Creates a verifier for a single secret with the default 5-minute tolerance and the system clock.</summary>
    /// <param name="secret">The endpoint secret exactly as shown, prefix included.</param>
    public WebhookVerifier(string secret)
        : this([secret ?? throw new ArgumentNullException(nameof(secret))])
    {
    }

    /// <summary>How many non-empty secrets this verifier accepts.</summary>
    public int SecretCount => _secrets.Length;

    /// <summary>Checks a request. Never throws for bad input.</summary>
    /// <param name="timestamp">The <c>x-timestamp</c> header value, or <see langword="null"/> when absent.</param>
    /// <param name="signature">The <c>x-signature</c> header value, or <see langword="null"/> when absent.</param>
    /// <param name="body">The raw request body bytes exactly as received (never re-serialized JSON).</param>
    /// <returns>The status, which secret matched, and the signing time.</returns>
    public WebhookVerificationResult Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body) =>
        Verify(timestamp, signature, body, keepBody: false, out _);

    /// <summary>Verifies a request, then parses it into a typed event.</summary>
    /// <param name="timestamp">The <c>x-timestamp</c> header value.</param>
    /// <param name="signature">The <c>x-signature</c> header value.</param>
    /// <param name="body">The raw request body bytes exactly as received.</param>
    /// <returns>The typed event (<see cref="UnknownWebhookEvent"/> for names this version does not know).</returns>
    /// <exception cref="WebhookVerificationException">The request is not authentic or not fresh; the message says how to fix it.</exception>
    /// <exception cref="FormatException">The body is authentic but is not a webhook event envelope.</exception>
    public WebhookEvent ConstructEvent(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        var result = Verify(timestamp, signature, body, keepBody: true, out var kept);
        if (!result.IsValid)
        {
            throw new WebhookVerificationException(result.Status);
        }

        // Only now, with the bytes authenticated, is anything parsed.
        return WebhookEventParser.ParseOwned(kept);
    }

    /// <summary>
    /// The check. The digest is HMAC-SHA256 keyed by each secret over the timestamp text then the body, as
    /// <see cref="WebhookSignature.ComputeDigest(string, string, ReadOnlySpan{byte}, Span{byte})"/> computes it (the signature vectors pin it), but from HMAC states
    /// keyed once per thread (<see cref="KeyedHmacs"/>) and fed the two parts in turn: no key schedule, context or
    /// message copy per request. With <paramref name="keepBody"/> the body is copied once, for the event's
    /// <c>RawJson</c>, which must not share the caller's buffer.
    /// </summary>
    private WebhookVerificationResult Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body, bool keepBody, out ReadOnlyMemory<byte> kept)
    {
        kept = default;
        if (_secrets.Length == 0)
        {
            return new(WebhookVerificationStatus.NoSecretConfigured, -1, null);
        }

        if (string.IsNullOrEmpty(timestamp))
        {
            return new(WebhookVerificationStatus.MissingTimestamp, -1, null);
        }

        if (string.IsNullOrEmpty(signature))
        {
            return new(WebhookVerificationStatus.MissingSignature, -1, null);
        }

        if (!WebhookTimestamps.TryParseSignatureTimestamp(timestamp, out var signedAtMs))
        {
            return new(WebhookVerificationStatus.MalformedTimestamp, -1, null);
        }

        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(signedAtMs);
        Span<byte> received = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!WebhookSignature.TryDecodeSignature(signature.AsSpan().Trim(), received))
        {
            return new(WebhookVerificationStatus.MalformedSignature, -1, signedAt);
        }

        // The signed text is the header exactly as received (surrounding whitespace included), so encode all of it.
        const int StackLimit = 128;
        var timestampLength = Encoding.UTF8.GetByteCount(timestamp);
        byte[]? rented = null;
        var timestampBytes = timestampLength <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(timestampLength));
        timestampBytes = timestampBytes[..Encoding.UTF8.GetBytes(timestamp, timestampBytes)];

        // Every secret is checked (no early exit) so the time taken does not reveal which one matched.
        var matched = -1;
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var hmacs = _hmacs.Value!;
        for (var i = 0; i < hmacs.Length; i++)
        {
            hmacs[i].AppendData(timestampBytes);
            hmacs[i].AppendData(body);
            hmacs[i].GetHashAndReset(expected);
            if (CryptographicOperations.FixedTimeEquals(expected, received) && matched < 0)
            {
                matched = i;
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (keepBody)
        {
            var copy = GC.AllocateUninitializedArray<byte>(body.Length);
            body.CopyTo(copy);
            kept = copy;
        }

        if (matched < 0)
        {
            return new(WebhookVerificationStatus.SignatureMismatch, -1, signedAt);
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var distance = now >= signedAtMs ? now - signedAtMs : signedAtMs - now;
        return distance > _toleranceMilliseconds
            ? new(WebhookVerificationStatus.TimestampOutsideTolerance, matched, signedAt)
            : new(WebhookVerificationStatus.Valid, matched, signedAt);
    }

    /// <summary>One HMAC state per secret, keyed once and reset after each digest; one set per thread (not thread-safe).</summary>
    private IncrementalHash[] KeyedHmacs() =>
        [.. _keys.Select(key => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key))];
}
