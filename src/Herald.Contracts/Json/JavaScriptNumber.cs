using System.Globalization;

namespace Herald.Contracts.Json;

/// <summary>
/// Respells a JSON number as JavaScript's <c>Number.prototype.toString</c> writes the double it parses to, unless that
/// spelling would denote another decimal value than the producer's, in which case the producer's spelling is kept.
/// </summary>
/// <remarks>
/// Values are compared exactly, as decimal digits and exponent, never as doubles: <c>10.50</c> and <c>10.5</c> are the
/// same value and <c>12345678901234567890</c> and JavaScript's <c>12345678901234567000</c> are not.
/// </remarks>
internal static class JavaScriptNumber
{
    /// <summary>More than enough for any spelling JavaScript gives a double, e.g. <c>-1.2345678901234567e-308</c>.</summary>
    public const int MaxFormattedLength = 32;

    // The shortest spelling that round-trips a double never has more significant digits than this.
    private const int MaxDoubleDigits = 17;

    // JavaScript writes integer values below 10^21 as plain digits, the only plain spelling of their value; so a
    // plain integer token up to 21 digits is either what JavaScript writes or a value it cannot keep: kept either way.
    private const int VerbatimIntegerDigits = 21;

    // Every decimal of at most 15 significant digits survives a trip through a double (DBL_DIG) in the normal range.
    private const int ExactDigits = 15;
    private const int ExactDigitsExponentLimit = 300;

    // Values outside 10^±400 are no finite nonzero double; skip parsing them (the exponent may be huge).
    private const int DecimalExponentLimit = 400;

    /// <summary>Writes the canonical spelling of a number token the reader has validated; returns the bytes written.</summary>
    /// <param name="token">A JSON number token, e.g. <c>-10.50e3</c>.</param>
    /// <param name="destination">At least <c>max(token.Length, MaxFormattedLength)</c> bytes.</param>
    public static int Write(ReadOnlySpan<byte> token, Span<byte> destination)
    {
        if (IsShortInteger(token))
        {
            token.CopyTo(destination);
            return token.Length;
        }

        Span<byte> digits = stackalloc byte[MaxDoubleDigits];
        if (!TryNormalize(token, digits, out var digitCount, out var pointPosition, out var negative))
        {
            return Verbatim(token, destination); // more significant digits than any double has
        }

        if (digitCount == 0)
        {
            destination[0] = (byte)'0'; // 0, -0, 0.000e5: JavaScript writes every zero as 0
            return 1;
        }

        if (digitCount <= ExactDigits && pointPosition is >= -ExactDigitsExponentLimit and <= ExactDigitsExponentLimit)
        {
            // No parse needed: the double nearest a value of at most 15 significant digits (well inside the normal
            // range) has exactly those digits as its shortest spelling, so JavaScript writes this very value.
            return WriteJavaScriptForm(negative, digits[..digitCount], pointPosition, destination);
        }

        if (pointPosition is > DecimalExponentLimit or < -DecimalExponentLimit
            || !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            return Verbatim(token, destination); // JSON.parse would give Infinity (written as null) or lose the value
        }

        Span<byte> shortest = stackalloc byte[MaxFormattedLength];
        if (!value.TryFormat(shortest, out var shortestLength, "R", CultureInfo.InvariantCulture))
        {
            return Verbatim(token, destination);
        }

        Span<byte> doubleDigits = stackalloc byte[MaxDoubleDigits];
        if (!TryNormalize(shortest[..shortestLength], doubleDigits, out var doubleDigitCount, out var doublePointPosition, out _)
            || doublePointPosition != pointPosition
            || !doubleDigits[..doubleDigitCount].SequenceEqual(digits[..digitCount]))
        {
            return Verbatim(token, destination); // the double is another value: JSON has no spelling that survives
        }

        return WriteJavaScriptForm(negative, digits[..digitCount], pointPosition, destination);
    }

    private static bool IsShortInteger(ReadOnlySpan<byte> token)
    {
        var digits = token;
        if (!digits.IsEmpty && digits[0] == (byte)'-')
        {
            digits = digits[1..];
            if (!digits.IsEmpty && digits[0] == (byte)'0')
            {
                return false; // -0 becomes 0
            }
        }

        return digits.Length is > 0 and <= VerbatimIntegerDigits && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static int Verbatim(ReadOnlySpan<byte> token, Span<byte> destination)
    {
        token.CopyTo(destination);
        return token.Length;
    }

    /// <summary>
    /// Reduces a decimal spelling (<c>-?digits(.digits)?([eE][+-]?digits)?</c>) to its value: the significant digits
    /// (no leading or trailing zeros) and the position of the decimal point relative to the first of them, so the
    /// value is <c>0.digits × 10^pointPosition</c>. A zero has no digits. Returns false beyond 17 significant digits.
    /// </summary>
    private static bool TryNormalize(ReadOnlySpan<byte> number, Span<byte> digits, out int digitCount, out long pointPosition, out bool negative)
    {
        digitCount = 0;
        pointPosition = 0;
        var i = 0;
        negative = number[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        var pendingZeros = 0;
        var significantStarted = false;
        long integerDigitsFromFirstSignificant = 0;
        long fractionZerosBeforeFirstSignificant = 0;
        var inFraction = false;
        for (; i < number.Length; i++)
        {
            var c = number[i];
            if (c == (byte)'.')
            {
                inFraction = true;
                continue;
            }

            if (c is (byte)'e' or (byte)'E')
            {
                break;
            }

            if (!significantStarted)
            {
                if (c == (byte)'0')
                {
                    if (inFraction)
                    {
                        fractionZerosBeforeFirstSignificant++;
                    }

                    continue;
                }

                significantStarted = true;
            }

            if (!inFraction)
            {
                integerDigitsFromFirstSignificant++;
            }

            if (c == (byte)'0')
            {
                pendingZeros++;
                continue;
            }

            if (digitCount + pendingZeros + 1 > digits.Length)
            {
                return false;
            }

            digits.Slice(digitCount, pendingZeros).Fill((byte)'0');
            digitCount += pendingZeros;
            pendingZeros = 0;
            digits[digitCount++] = c;
        }

        long exponent = 0;
        if (i < number.Length)
        {
            i++; // e or E
            var exponentNegative = false;
            if (number[i] is (byte)'+' or (byte)'-')
            {
                exponentNegative = number[i] == (byte)'-';
                i++;
            }

            for (; i < number.Length; i++)
            {
                // Saturate: anything this large is far outside a double's range either way.
                exponent = Math.Min((exponent * 10) + (number[i] - '0'), 1_000_000_000);
            }

            if (exponentNegative)
            {
                exponent = -exponent;
            }
        }

        if (digitCount > 0)
        {
            pointPosition = (integerDigitsFromFirstSignificant > 0 ? integerDigitsFromFirstSignificant : -fractionZerosBeforeFirstSignificant) + exponent;
        }

        return true;
    }

    /// <summary>
    /// Number::toString (ECMA-262 6.1.6.1.20) for the value <c>0.digits × 10^n</c>: plain decimal for
    /// <c>-6 &lt; n ≤ 21</c>, otherwise <c>d.ddde±x</c>.
    /// </summary>
    private static int WriteJavaScriptForm(bool negative, ReadOnlySpan<byte> digits, long n, Span<byte> destination)
    {
        var k = digits.Length;
        var written = 0;
        if (negative)
        {
            destination[written++] = (byte)'-';
        }

        if (k <= n && n <= 21)
        {
            digits.CopyTo(destination[written..]);
            written += k;
            destination.Slice(written, (int)n - k).Fill((byte)'0');
            return written + ((int)n - k);
        }

        if (n is > 0 and <= 21)
        {
            digits[..(int)n].CopyTo(destination[written..]);
            written += (int)n;
            destination[written++] = (byte)'.';
            digits[(int)n..].CopyTo(destination[written..]);
            return written + (k - (int)n);
        }

        if (n is > -6 and <= 0)
        {
            destination[written++] = (byte)'0';
            destination[written++] = (byte)'.';
            destination.Slice(written, (int)-n).Fill((byte)'0');
            written += (int)-n;
            digits.CopyTo(destination[written..]);
            return written + k;
        }

        destination[written++] = digits[0];
        if (k > 1)
        {
            destination[written++] = (byte)'.';
            digits[1..].CopyTo(destination[written..]);
            written += k - 1;
        }

        var e = n - 1;
        destination[written++] = (byte)'e';
        destination[written++] = e < 0 ? (byte)'-' : (byte)'+';
        ((int)Math.Abs(e)).TryFormat(destination[written..], out var exponentLength, provider: CultureInfo.InvariantCulture);
        return written + exponentLength;
    }
}
