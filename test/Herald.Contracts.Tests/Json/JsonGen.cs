using System.Globalization;
using System.Text;
using CsCheck;

namespace Herald.Contracts.Tests.Json;

/// <summary>Generators of JSON text spelled in many ways, always valid for JSON.parse and free of duplicate keys.</summary>
internal static class JsonGen
{
    private static readonly Gen<bool> Coin = Gen.Bool;

    private static readonly Gen<string> Whitespace = Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf(" ", "\n", "\t", "\r\n  ", "  ")));

    /// <summary>One piece of string content: its JSON spelling and the text it stands for.</summary>
    private static readonly Gen<(string Raw, string Text)> StringPiece = Gen.Frequency(
        (12, Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABC _-.:0123456789"], 1, 6].Select(s => (s, s))),
        (3, Gen.OneOf("é", "ñ", "中文", "東京", "😀", "👩‍👩‍👧", "\u2028", "\u2029", "\u007f", "\u0080", "\ufeff", "\uffff", "ß", "\U0010FFFF").Select(s => (s, s))),
        (3, Gen.OneOf(("\\\"", "\""), ("\\\\", "\\"), ("\\/", "/"), ("\\b", "\b"), ("\\f", "\f"), ("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"))),
        (3, Gen.Select(Gen.Int[0, 0xFFFF].Where(c => c is < 0xD800 or > 0xDFFF), Coin, (c, upper) => (Escape(c, upper), ((char)c).ToString()))),
        (2, Gen.Select(Gen.Int[0, 0x20], Coin, (c, upper) => (Escape(c, upper), ((char)c).ToString()))),
        (1, Gen.Select(Gen.Int[0x10000, 0x10FFFF], Coin, (c, upper) =>
        {
            var pair = char.ConvertFromUtf32(c);
            return (Escape(pair[0], upper) + Escape(pair[1], upper), pair);
        })));

    private static readonly Gen<(string Raw, string Text)> JsonString =
        StringPiece.Array[0, 6].Select(pieces => ("\"" + string.Concat(pieces.Select(p => p.Raw)) + "\"", string.Concat(pieces.Select(p => p.Text))));

    /// <summary>Keys, a third of them array indices or near misses ("01", "-1", "4294967295").</summary>
    private static readonly Gen<(string Raw, string Text)> Key = Gen.Frequency(
        (6, JsonString),
        (2, Gen.OneOf("0", "1", "2", "7", "10", "42", "01", "-1", "1.5", "1e2", "4294967294", "4294967295", "99999999999").Select(k => ($"\"{k}\"", k))),
        (1, Gen.UInt.Select(n => n.ToString(CultureInfo.InvariantCulture)).Select(k => ($"\"{k}\"", k))),
        (1, Gen.Int[0, 99].Select(n => (string.Concat(n.ToString(CultureInfo.InvariantCulture).Select(d => Escape(d, false))), n.ToString(CultureInfo.InvariantCulture))).Select(k => ($"\"{k.Item1}\"", k.Item2))));

    /// <summary>Numbers whose value survives JSON.parse, in assorted spellings of that value.</summary>
    public static readonly Gen<string> SurvivingNumber = Gen.Frequency(
        (3, Gen.Long[-(1L << 53), 1L << 53].Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Int[-1000, 1000].Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (4, Gen.Double.Where(double.IsFinite).Select(Gen.Int[0, 4], Coin, Gen.Int[-3, 3], Respell)),
        (3, Gen.Select(Gen.Long[0, 999_999_999_999_999], Gen.Int[-300, 290], Gen.Int[0, 3], Coin, Coin, Scientific)),
        (1, Gen.OneOf("-0", "0", "0.0", "-0.0", "0e5", "1e21", "1e-7", "1e20", "1e-6", "5e-324", "1.7976931348623157e308", "2.2250738585072014e-308", "9007199254740992", "0.1", "10.50", "1e3", "1E2")));

    /// <summary>Any number spelling, including ones JSON.parse cannot keep (too many digits, beyond 2^53, beyond a double's range).</summary>
    public static readonly Gen<string> AnyNumber = Gen.Frequency(
        (3, SurvivingNumber),
        (2, Gen.Select(Gen.String[Gen.Char["0123456789"], 1, 30], Gen.String[Gen.Char["0123456789"], 0, 12], Gen.Int[-400, 400], Coin, (i, f, e, negative) =>
            (negative ? "-" : "") + (i.TrimStart('0').Length == 0 ? "0" : i.TrimStart('0')) + (f.Length > 0 ? "." + f : "") + (e != 0 ? "e" + e.ToString(CultureInfo.InvariantCulture) : ""))),
        (1, Gen.ULong.Select(u => u.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Select(Gen.Long[0, 99_999_999_999_999_999], Gen.Int[-330, 320], Gen.Int[0, 3], Coin, Coin, Scientific)));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, JsonString.Select(s => s.Raw)),
        (3, SurvivingNumber),
        (1, Gen.OneOf("true", "false", "null")));

    /// <summary>A whole document: nested objects and arrays up to depth 5, spelled with random whitespace.</summary>
    public static readonly Gen<string> Document = Gen.Recursive<string>((depth, value) => depth >= 5
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Gen.Select(value.Array[0, 5], Whitespace, (items, ws) => "[" + ws + string.Join("," + ws, items) + ws + "]")),
            (2, Gen.Select(Gen.Select(Key, value).Array[0, 6], Whitespace, (members, ws) =>
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var unique = members.Where(m => seen.Add(m.Item1.Text)).Select(m => ws + m.Item1.Raw + ws + ":" + ws + m.Item2);
                return "{" + string.Join(",", unique) + ws + "}";
            }))));

    private static string Escape(int unit, bool upper) => "\\u" + unit.ToString(upper ? "X4" : "x4", CultureInfo.InvariantCulture);

    /// <summary>Another spelling of the same value: trailing zeros, a shifted exponent, E or e, an explicit +.</summary>
    private static string Respell(double value, int extraZeros, bool upper, int shift)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var exponent = e < 0 ? 0 : int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        if (extraZeros > 0)
        {
            mantissa += (mantissa.Contains('.', StringComparison.Ordinal) ? "" : ".") + new string('0', extraZeros);
        }

        if (shift != 0)
        {
            // Move the decimal point left by `shift` digits (right when negative) and compensate in the exponent.
            var negative = mantissa.StartsWith('-');
            var digits = negative ? mantissa[1..] : mantissa;
            var point = digits.IndexOf('.', StringComparison.Ordinal);
            var plain = digits.Replace(".", "", StringComparison.Ordinal);
            point = point < 0 ? plain.Length : point;
            var newPoint = point - shift;
            if (newPoint <= 0)
            {
                plain = new string('0', 1 - newPoint) + plain;
                newPoint = 1;
            }
            else if (newPoint > plain.Length)
            {
                plain += new string('0', newPoint - plain.Length);
            }

            var integer = plain[..newPoint].TrimStart('0');
            mantissa = (negative ? "-" : "") + (integer.Length == 0 ? "0" : integer) + (newPoint < plain.Length ? "." + plain[newPoint..] : "");
            exponent += shift;
        }

        return exponent == 0 && !upper ? mantissa : mantissa + (upper ? "E" : "e") + (exponent >= 0 && upper ? "+" : "") + exponent.ToString(CultureInfo.InvariantCulture);
    }

    private static string Scientific(long digits, int exponent, int fractionDigits, bool negative, bool upper)
    {
        var text = digits.ToString(CultureInfo.InvariantCulture);
        if (fractionDigits > 0 && fractionDigits < text.Length)
        {
            text = text.Insert(text.Length - fractionDigits, ".");
        }

        var builder = new StringBuilder(negative ? "-" : "").Append(text);
        return builder.Append(upper ? 'E' : 'e').Append(exponent.ToString(CultureInfo.InvariantCulture)).ToString();
    }
}
