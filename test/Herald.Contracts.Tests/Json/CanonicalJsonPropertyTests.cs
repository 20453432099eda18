using System.Globalization;
using System.Numerics;
using System.Text;
using CsCheck;
using Herald.Contracts.Json;

using Herald.Testing;

namespace Herald.Contracts.Tests.Json;

/// <summary>
/// Random JSON against Node in one batch: documents spelled every which way (whitespace, escapes, literal unicode,
/// number spellings, array-index keys) must come out byte for byte as <c>JSON.stringify(JSON.parse(x))</c>, and random
/// number spellings must keep their exact decimal value: JavaScript's spelling when it denotes the same value,
/// the producer's otherwise.
/// </summary>
public sealed class CanonicalJsonPropertyTests(ITestOutputHelper output)
{
    private const int Documents = 3000;
    private const int Numbers = 4000;

    [Fact]
    public void Random_documents_canonicalize_to_what_JSON_stringify_gives_back()
    {
        _ = NodeJson.Executable; // fails here, with how to install Node, rather than inside the sampler
        Check.Sample(JsonGen.Document.Array[Documents], documents =>
        {
            var inputs = documents.Select(Encoding.UTF8.GetBytes).ToArray();
            var expected = NodeJson.RoundTrip(inputs);
            var failures = new List<string>();
            for (var i = 0; i < inputs.Length; i++)
            {
                var result = CanonicalJson.Canonicalize(inputs[i]);
                if (expected[i] is not { } node)
                {
                    failures.Add($"node refused {documents[i]}");
                }
                else if (!result.IsSuccess)
                {
                    failures.Add($"refused {documents[i]}: {result.Error.Message}");
                }
                else if (!result.Utf8Json.AsSpan().SequenceEqual(node))
                {
                    failures.Add($"{documents[i]}\n  herald: {Encoding.UTF8.GetString(result.Utf8Json)}\n  node:   {Encoding.UTF8.GetString(node)}");
                }
            }

            output.WriteLine($"{inputs.Length} documents ({inputs.Sum(b => b.Length)} bytes) compared with node; {failures.Count} differ.");
            Assert.True(failures.Count == 0, string.Join("\n", failures.OrderBy(f => f.Length).Take(5)));
        }, iter: 1, threads: 1);
    }

    [Fact]
    public void Random_number_spellings_keep_their_exact_value_and_take_JavaScripts_spelling_whenever_it_keeps_the_value()
    {
        _ = NodeJson.Executable;
        Check.Sample(JsonGen.AnyNumber.Array[Numbers], numbers =>
        {
            var expected = NodeJson.RoundTrip([.. numbers.Select(n => Encoding.UTF8.GetBytes($"[{n}]"))]);
            var failures = new List<string>();
            var kept = 0;
            for (var i = 0; i < numbers.Length; i++)
            {
                var result = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(numbers[i]));
                Assert.True(result.IsSuccess, result.Error?.Message);
                var herald = Encoding.UTF8.GetString(result.Utf8Json);
                var node = Encoding.UTF8.GetString(expected[i]!)[1..^1];
                var nodeKeepsValue = node != "null" && ExactDecimal.Equal(node, numbers[i]);
                if (nodeKeepsValue ? herald != node : herald != numbers[i])
                {
                    failures.Add($"{numbers[i]}: herald {herald}, node {node} ({(nodeKeepsValue ? "same value" : "another value")})");
                }

                kept += nodeKeepsValue ? 0 : 1;
            }

            output.WriteLine($"{numbers.Length} number spellings compared with node; {kept} kept as given because JavaScript changes their value; {failures.Count} wrong.");
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }, iter: 1, threads: 1);
    }

    [Fact]
    public void Canonical_output_is_a_fixed_point()
    {
        Check.Sample(JsonGen.Document, document =>
        {
            var once = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(document));
            Assert.True(once.IsSuccess, once.Error?.Message);
            var twice = CanonicalJson.Canonicalize(once.Utf8Json);
            Assert.True(twice.IsSuccess, twice.Error?.Message);
            Assert.Equal(once.Utf8Json, twice.Utf8Json);
        }, iter: 2000);
    }

    [Fact]
    public void Hostile_bytes_get_a_result_never_an_exception()
    {
        // Valid documents with a few bytes overwritten (often invalid UTF-8, broken escapes or syntax) and pure noise.
        var mutated = Gen.Select(JsonGen.Document, Gen.Int[1, 4].SelectMany(n => Gen.Select(Gen.Int[0, 1000], Gen.Byte).Array[n]), (document, edits) =>
        {
            var bytes = Encoding.UTF8.GetBytes(document);
            foreach (var (position, value) in edits)
            {
                bytes[position % bytes.Length] = value;
            }

            return bytes;
        });
        var noise = Gen.Byte.Array[0, 64];
        var refused = 0;
        Check.Sample(Gen.OneOf(mutated, noise), bytes =>
        {
            var result = CanonicalJson.Canonicalize(bytes, "data");
            if (!result.IsSuccess)
            {
                Interlocked.Increment(ref refused);
                Assert.False(string.IsNullOrEmpty(result.Error.Message));
                Assert.StartsWith("data", result.Error.Path);
            }
        }, iter: 5000);
        output.WriteLine($"5000 hostile inputs; {refused} refused with a reason, none threw.");
        Assert.True(refused > 0);
    }

    /// <summary>Exact decimal values of JSON number spellings, by big integers: no floating point involved.</summary>
    private static class ExactDecimal
    {
        public static bool Equal(string a, string b) => Normalize(a) == Normalize(b);

        private static (BigInteger Mantissa, long Exponent) Normalize(string number)
        {
            var e = number.IndexOfAny(['e', 'E']);
            var exponent = e < 0 ? 0 : long.Parse(number[(e + 1)..], CultureInfo.InvariantCulture);
            var mantissa = e < 0 ? number : number[..e];
            var point = mantissa.IndexOf('.', StringComparison.Ordinal);
            if (point >= 0)
            {
                exponent -= mantissa.Length - point - 1;
                mantissa = mantissa.Remove(point, 1);
            }

            var value = BigInteger.Parse(mantissa, CultureInfo.InvariantCulture);
            if (value.IsZero)
            {
                return (0, 0);
            }

            while (value % 10 == 0)
            {
                value /= 10;
                exponent++;
            }

            return (value, exponent);
        }
    }
}
