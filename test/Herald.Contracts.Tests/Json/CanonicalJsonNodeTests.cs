using System.Text;
using Herald.Contracts.Events;
using Herald.Contracts.Json;
using Herald.Contracts.Samples;
using Herald.Testing;

namespace Herald.Contracts.Tests.Json;

/// <summary>
/// Herald's canonical bytes against Node's own <c>JSON.stringify(JSON.parse(x))</c>, byte for byte: the catalog
/// samples and inputs chosen for unicode, escapes, odd numbers, array-index keys and nesting. Node runs once for the class.
/// </summary>
public sealed class CanonicalJsonNodeTests
{
    private static readonly Dictionary<string, string> Cases = new(StringComparer.Ordinal)
    {
        ["accents"] = """{"note":"Café crème, naïve façade"}""",
        ["cjk"] = """{"name":"支付成功","city":"東京","ko":"결제"}""",
        ["emoji literal"] = """{"e":"😀🎉👩‍👩‍👧"}""",
        ["emoji as an escaped surrogate pair"] = """{"e":"\ud83d\ude00","E":"\uD83D\uDE00x"}""",
        ["line and paragraph separators literal"] = "{\"s\":\"a\u2028b\u2029c\"}",
        ["line and paragraph separators escaped"] = """{"s":"a\u2028b\u2029c"}""",
        ["escaped controls"] = """["\u0000","\u0001","\u001f","\u001F","\u007f","\u0080"]""",
        ["short escapes"] = """["\b\f\n\r\t","\u0008\u0009\u000a\u000c\u000d","\u000B"]""",
        ["quote, backslash and slash escapes"] = """["a\/b","\"","\\","\u0022\u005c\u002f","</script>"]""",
        ["escaped non-ASCII"] = """["\u00e9\u4E2D","\u00E9t\u00e9","\uffff","\ufffe","\ufeff"]""",
        ["literal DEL, BOM character and noncharacters"] = "[\"\u007f\",\"\ufeff\",\"\uffff\",\"\U0010FFFF\"]",
        ["every short escape mixed with text"] = """{"k\"ey\\\n":"va\tl\ru\be\f"}""",
        ["numbers: trailing zeros"] = "[10.50,1.0,100,100.000,0.10,-2.50]",
        ["numbers: exponents"] = "[1e3,1E2,1e+2,1.5E-3,123.456e5,0.1e1,-1.25e+2,2.5E-3,1e0,1E-0]",
        ["numbers: zeros"] = "[-0,0,0.0,-0.0,0e10,-0E-10,0.000,0e999999999999999999999,-0.0e-999999999999999999999]",
        ["numbers: thousands of digits that still mean a short value"] = "[1." + new string('0', 5000) + ",0." + new string('0', 300) + "1," + "5" + new string('0', 20) + ".000e-20]",
        ["numbers: JavaScript switches to exponents at 1e21 and 1e-7"] = "[1e20,1e21,123456789012345680000,1000000000000000000000,-1000000000000000000000,1e-6,1e-7,0.000001,0.0000001,1.5e-7,-1e21]",
        ["numbers: exactly representable large integers"] = "[9007199254740992,-9007199254740992,1e22,1e23,4294967296,1234567890123456]",
        ["numbers: double extremes"] = "[5e-324,1.7976931348623157e308,2.2250738585072014e-308,-5e-324]",
        ["numbers: common decimals"] = "[0.1,0.2,0.30000000000000004,4.35,129.9,1234.56,3.14159,99.99,0.5]",
        ["array-index keys come first in ascending order"] = """{"b":1,"2":2,"a":3,"1":4,"0":5}""",
        ["array-index keys compare numerically"] = """{"10":1,"9":2,"100":3,"z":4}""",
        ["keys that are not array indices keep their place"] = """{"x":0,"01":1,"1":2,"-1":3,"1.0":4,"1e2":5," 1":6,"4294967295":7,"4294967294":8,"0":9}""",
        ["escaped keys that spell an index"] = """{"a":1,"\u0031":2,"\u0030":3}""",
        ["index keys in nested objects and arrays"] = """[{"1":"a","0":"b"},{"k":{"3":[{"2":0,"y":1}]}}]""",
        ["index keys in a large object"] = "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"{(i % 3 == 0 ? (40 - i).ToString(System.Globalization.CultureInfo.InvariantCulture) : "k" + i)}\":{i}")) + "}",
        ["__proto__ is an ordinary key"] = """{"__proto__":{"a":1},"b":2}""",
        ["nested arrays"] = "[[[]],[[1,[2,[3,[4]]]]],{},[{}],[[],[]]]",
        ["pretty-printed input"] = "{\n  \"a\" : [ 1 ,\t2 ],\r\n  \"b\" : { \"c\" : null , \"d\" : true, \"e\": false }\n}\n",
        ["top-level string"] = "\"top\"",
        ["top-level number"] = " 1e3 ",
        ["top-level literal"] = "null",
        ["empty containers"] = """{"a":{},"b":[],"c":""}""",
    };

    // JSON.parse turns these into another value (or Infinity, written as null): no spelling survives, so Herald keeps
    // the producer's. Each with what JavaScript would write instead.
    private static readonly Dictionary<string, string> ValueChangingNumbers = new(StringComparer.Ordinal)
    {
        ["123456789012345678"] = "123456789012345680",
        ["12345678901234567890"] = "12345678901234567000",
        ["9007199254740993"] = "9007199254740992",
        ["-18446744073709551615"] = "-18446744073709552000",
        ["1.00000000000000001"] = "1",
        ["0.1000000000000000055511151231257827"] = "0.1",
        ["1e400"] = "null",
        ["-1E400"] = "null",
        ["1e-400"] = "0",
        ["2.4703282292062328e-324"] = "5e-324",
        ["4.9e-324"] = "5e-324",
        ["999999999999999999999"] = "1e+21",
        ["1e999999999999999999999"] = "null",
        ["1" + new string('0', 400)] = "null",
        ["1." + new string('0', 400) + "1"] = "1",
        ["123456789012345678901e0"] = "123456789012345680000",
    };

    private static readonly string[] SampleNames = [.. EventCatalog.All.Select(t => t.Name)];

    // Node runs once for the whole class: every case, every raw sample file and every served sample.
    private static readonly Lazy<Dictionary<string, byte[]?>> Node = new(() =>
    {
        var inputs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, json) in Cases)
        {
            inputs["case:" + name] = Encoding.UTF8.GetBytes(json);
        }

        foreach (var number in ValueChangingNumbers.Keys)
        {
            inputs["number:" + number] = Encoding.UTF8.GetBytes($"[{number}]");
        }

        foreach (var name in SampleNames)
        {
            inputs["file:" + name] = SampleFile(name);
            inputs["served:" + name] = EventSamples.GetData(name).ToArray();
        }

        var outputs = NodeJson.RoundTrip([.. inputs.Values]);
        return inputs.Keys.Zip(outputs).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    });

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public static TheoryData<string> Samples => [.. SampleNames];

    public static TheoryData<string> Numbers => [.. ValueChangingNumbers.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Canonical_bytes_equal_what_JSON_stringify_gives_back_for(string name)
    {
        var result = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(Cases[name]));

        Assert.True(result.IsSuccess, result.Error?.Message);
        AssertSameBytes(NodeOutput("case:" + name), result.Utf8Json);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_catalog_sample_file_canonicalizes_to_what_JSON_stringify_gives_back(string name)
    {
        var result = CanonicalJson.Canonicalize(SampleFile(name));

        Assert.True(result.IsSuccess, result.Error?.Message);
        AssertSameBytes(NodeOutput("file:" + name), result.Utf8Json);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_served_sample_is_already_what_JSON_stringify_gives_back(string name)
    {
        var served = EventSamples.GetData(name).ToArray();

        AssertSameBytes(NodeOutput("served:" + name), served);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Canonicalizing_canonical_bytes_changes_nothing(string name)
    {
        var once = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(Cases[name]));
        Assert.True(once.IsSuccess, once.Error?.Message);

        var twice = CanonicalJson.Canonicalize(once.Utf8Json);

        Assert.True(twice.IsSuccess, twice.Error?.Message);
        AssertSameBytes(once.Utf8Json, twice.Utf8Json);
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void A_number_JSON_parse_would_change_keeps_the_producers_spelling(string number)
    {
        var result = CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes($"[ {number} ]"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal($"[{number}]", Encoding.UTF8.GetString(result.Utf8Json));
        // Node shows why: its round trip writes another value.
        Assert.Equal($"[{ValueChangingNumbers[number]}]", Encoding.UTF8.GetString(NodeOutput("number:" + number)));
    }

    private static byte[] NodeOutput(string key) =>
        Node.Value[key] ?? throw new InvalidOperationException($"node's JSON.parse refused the input {key}.");

    private static byte[] SampleFile(string name) =>
        File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "src", "Herald.Contracts", "Samples", name + ".json"));

    internal static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        // Compare text for a readable diff, then bytes so nothing hides behind decoding.
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
