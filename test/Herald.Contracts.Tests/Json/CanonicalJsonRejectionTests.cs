using System.Buffers;
using System.Text;
using Herald.Contracts.Json;

namespace Herald.Contracts.Tests.Json;

/// <summary>What Herald refuses (lone surrogates, invalid UTF-8, duplicate keys, too deep, not JSON), each with the path of the culprit.</summary>
public sealed class CanonicalJsonRejectionTests
{
    [Theory]
    [InlineData("""{"object":{"note":"\ud800"}}""", "data.object.note", "\\ud800")]
    [InlineData("""{"object":{"note":"ok \uDFFF"}}""", "data.object.note", "\\udfff")]
    [InlineData("""{"object":{"note":"\ud83d"}}""", "data.object.note", "\\ud83d")]
    [InlineData("""{"object":{"note":"\ud83dx"}}""", "data.object.note", "\\ud83d")]
    [InlineData("""{"object":{"note":"\ud83d\u0041"}}""", "data.object.note", "\\ud83d")]
    [InlineData("""{"object":{"note":"\ude00\ud83d"}}""", "data.object.note", "\\ude00")]
    [InlineData("""{"object":{"note":"\ud83d\ude00\ud83d"}}""", "data.object.note", "\\ud83d")]
    [InlineData("""{"object":{"items":[{"n":"a"},{"n":"\udc00"}]}}""", "data.object.items[1].n", "\\udc00")]
    [InlineData("""["\ud800"]""", "data[0]", "\\ud800")]
    public void A_lone_surrogate_in_a_string_is_refused_with_its_path(string json, string path, string escape)
    {
        var error = Refused(Encoding.UTF8.GetBytes(json), "data");

        Assert.Equal(CanonicalJsonErrorKind.LoneSurrogate, error.Kind);
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + " is a string that holds a lone UTF-16 surrogate (" + escape + ")", error.Message);
    }

    [Fact]
    public void A_lone_surrogate_in_a_property_name_is_refused_with_the_path_of_its_object()
    {
        var error = Refused("""{"object":{"ok":1,"bad\ud800":2}}"""u8.ToArray(), "data");

        Assert.Equal(CanonicalJsonErrorKind.LoneSurrogate, error.Kind);
        Assert.Equal("data.object", error.Path);
        Assert.Contains("property name", error.Message);
    }

    public static TheoryData<string, byte[]> InvalidUtf8 => new()
    {
        { "a byte that never occurs in UTF-8", [0xFF] },
        { "a lone continuation byte", [0x80] },
        { "a truncated two-byte sequence", [0xC3] },
        { "a truncated four-byte sequence", [0xF0, 0x9F, 0x98] },
        { "an overlong encoding of '/'", [0xC0, 0xAF] },
        { "an encoded surrogate (CESU-8)", [0xED, 0xA0, 0x80] },
        { "a code point above U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "Latin-1 text", [0x63, 0x61, 0x66, 0xE9] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_in_a_string_is_refused_with_its_path(string what, byte[] bytes)
    {
        var json = Concat("""{"object":{"note":"x"""u8, bytes, "\"}}"u8);

        var error = Refused(json, "data");

        Assert.True(error.Kind == CanonicalJsonErrorKind.InvalidUtf8, what);
        Assert.Equal("data.object.note", error.Path);
        Assert.Equal("data.object.note is a string that is not valid UTF-8; send text as UTF-8.", error.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_in_a_property_name_is_refused_with_the_path_of_its_object(string what, byte[] bytes)
    {
        var json = Concat("""{"object":{"a":1,"k"""u8, bytes, "\":2}}"u8);

        var error = Refused(json, "data");

        Assert.True(error.Kind == CanonicalJsonErrorKind.InvalidUtf8, what);
        Assert.Equal("data.object", error.Path);
    }

    [Theory]
    [InlineData("""{"account_id":"a","account_id":"b"}""", "data.account_id")]
    [InlineData("""{"object":{"id":"x","amount":1,"id":"y"}}""", "data.object.id")]
    [InlineData("""{"object":{"meta":{"a":1,"\u0061":2}}}""", "data.object.meta.a")]
    [InlineData("""{"object":{"list":[{},{"k":1,"k":1}]}}""", "data.object.list[1].k")]
    [InlineData("""{"object":{"odd key":1,"odd key":2}}""", "data.object[\"odd key\"]")]
    [InlineData("""{"object":{"2":1,"b":0,"2":2}}""", "data.object[\"2\"]")]
    public void A_key_given_twice_is_refused_with_its_path(string json, string path)
    {
        var error = Refused(Encoding.UTF8.GetBytes(json), "data");

        Assert.Equal(CanonicalJsonErrorKind.DuplicateKey, error.Kind);
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + " appears twice in one object", error.Message);
    }

    [Fact]
    public void A_key_given_twice_in_a_large_object_is_found_too()
    {
        var members = Enumerable.Range(0, 500).Select(i => $"\"k{i}\":{i}").Append("\"k250\":0");
        var json = Encoding.UTF8.GetBytes("{\"object\":{" + string.Join(",", members) + "}}");

        var error = Refused(json, "data");

        Assert.Equal(CanonicalJsonErrorKind.DuplicateKey, error.Kind);
        Assert.Equal("data.object.k250", error.Path);
    }

    [Fact]
    public void Keys_that_differ_only_in_case_or_spelling_of_a_number_are_not_duplicates()
    {
        var result = CanonicalJson.Canonicalize("""{"a":1,"A":2,"1":3,"01":4,"1.0":5}"""u8);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("""{"1":3,"a":1,"A":2,"01":4,"1.0":5}""", Encoding.UTF8.GetString(result.Utf8Json));
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted_and_one_level_more_is_refused_with_its_path()
    {
        var deepest = new string('[', CanonicalJson.MaxDepth) + new string(']', CanonicalJson.MaxDepth);
        var tooDeep = "{\"a\":" + new string('[', CanonicalJson.MaxDepth) + new string(']', CanonicalJson.MaxDepth) + "}";

        Assert.True(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(deepest)).IsSuccess);
        var error = Refused(Encoding.UTF8.GetBytes(tooDeep), "data");

        Assert.Equal(CanonicalJsonErrorKind.TooDeep, error.Kind);
        Assert.Equal("data.a" + string.Concat(Enumerable.Repeat("[0]", CanonicalJson.MaxDepth - 1)), error.Path);
        Assert.Contains("deeper than 64 levels", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1} {}")]
    [InlineData("{\"a\":1 // comment\n}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("{\"a\":Infinity}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1.}")]
    [InlineData("{\"a\":.5}")]
    [InlineData("{\"a\":+1}")]
    [InlineData("{\"a\":0x10}")]
    [InlineData("{\"a\":\"\\x41\"}")]
    [InlineData("{\"a\":\"\\u12\"}")]
    [InlineData("{\"a\":\"tab\there\"}")]
    [InlineData("{\"a\":\"nul\u0000here\"}")]
    [InlineData("\ufeff{}")]
    public void Text_that_JSON_parse_refuses_is_refused_as_invalid_json(string json)
    {
        var error = Refused(Encoding.UTF8.GetBytes(json), "data");

        Assert.Equal(CanonicalJsonErrorKind.InvalidJson, error.Kind);
        Assert.StartsWith("data", error.Path);
        Assert.Contains("is not valid JSON", error.Message);
    }

    [Fact]
    public void Input_beyond_the_size_limit_is_refused_before_it_is_read()
    {
        var json = new byte[CanonicalJson.MaxInputBytes + 1];

        var error = Refused(json, "data");

        Assert.Equal(CanonicalJsonErrorKind.TooLarge, error.Kind);
        Assert.Equal("data", error.Path);
    }

    [Fact]
    public void Without_a_prefix_paths_start_at_the_first_key_and_the_root_is_called_the_value()
    {
        Assert.Equal("a.b", Refused("""{"a":{"b":"\ud800"}}"""u8.ToArray(), null).Path);
        var root = Refused("\"\\ud800\""u8.ToArray(), null);
        Assert.Equal(string.Empty, root.Path);
        Assert.StartsWith("The value is a string that holds a lone UTF-16 surrogate", root.Message);
    }

    [Fact]
    public void A_hostile_long_key_is_shortened_in_the_path()
    {
        var key = new string('é', 1000);
        var error = Refused(Encoding.UTF8.GetBytes($"{{\"{key} \":1,\"{key} \":2}}"), "data");

        Assert.Equal(CanonicalJsonErrorKind.DuplicateKey, error.Kind);
        Assert.StartsWith("data[\"éé", error.Path);
        Assert.EndsWith("…\"]", error.Path);
        Assert.True(error.Path.Length < 100, error.Path);
    }

    [Fact]
    public void A_refused_input_writes_nothing_to_the_destination()
    {
        var destination = new ArrayBufferWriter<byte>();

        var ok = CanonicalJson.TryCanonicalize("""{"a":"fine","b":"\ud800"}"""u8, destination, "data", out var error);

        Assert.False(ok);
        Assert.Equal("data.b", error!.Path);
        Assert.Equal(0, destination.WrittenCount);
    }

    [Fact]
    public void A_refusal_leaves_the_next_call_on_the_same_thread_unaffected()
    {
        Refused("""{"a":[{"b":"\ud800"}]}"""u8.ToArray(), "data");

        var result = CanonicalJson.Canonicalize("""{"x":[1,{"2":0,"1":0}]}"""u8);

        Assert.True(result.IsSuccess);
        Assert.Equal("""{"x":[1,{"1":0,"2":0}]}""", Encoding.UTF8.GetString(result.Utf8Json));
    }

    private static CanonicalJsonError Refused(byte[] json, string? path)
    {
        var result = CanonicalJson.Canonicalize(json, path);
        Assert.False(result.IsSuccess, result.IsSuccess ? "accepted as " + Encoding.UTF8.GetString(result.Utf8Json) : null);
        return result.Error;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b, ReadOnlySpan<byte> c) => [.. a, .. b, .. c];
}
