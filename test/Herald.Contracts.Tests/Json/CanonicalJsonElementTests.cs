using System.Buffers;
using System.Text;
using System.Text.Json;
using Herald.Contracts.Json;

namespace Herald.Contracts.Tests.Json;

/// <summary>
/// Ingest receives <c>data</c> as a <see cref="JsonElement"/> bound from the request: canonicalizing it must see the
/// producer's original bytes (number spellings, escapes, duplicates, invalid UTF-8), not a decoded copy.
/// </summary>
public sealed class CanonicalJsonElementTests
{
    private sealed record CreateEvent(string Name, JsonElement? Data);

    private static readonly JsonSerializerOptions Options = HeraldJson.CreateOptions();

    [Fact]
    public void A_bound_element_is_canonicalized_from_the_producers_bytes()
    {
        var request = Bind("""{"name":"x","data":{ "object" : {"amount":10.50,"n":1e3,"t":"caf\u00e9 \/ \ud83d\ude00","2":0,"1":0} }}"""u8);
        var destination = new ArrayBufferWriter<byte>();

        Assert.True(CanonicalJson.TryCanonicalize(request.Data!.Value, destination, "data", out var error), error?.Message);

        Assert.Equal("""{"object":{"1":0,"2":0,"amount":10.5,"n":1000,"t":"café / 😀"}}""", Encoding.UTF8.GetString(destination.WrittenSpan));
    }

    [Fact]
    public void A_bound_element_with_a_lone_surrogate_is_refused_with_the_request_path()
    {
        var request = Bind("""{"name":"x","data":{"object":{"note":"\ud800"}}}"""u8);

        Assert.False(CanonicalJson.TryCanonicalize(request.Data!.Value, new ArrayBufferWriter<byte>(), "events[3].data", out var error));

        Assert.Equal(CanonicalJsonErrorKind.LoneSurrogate, error.Kind);
        Assert.Equal("events[3].data.object.note", error.Path);
    }

    [Fact]
    public void A_bound_element_with_a_duplicate_key_is_refused_with_its_path()
    {
        var request = Bind("""{"name":"x","data":{"object":{"account_id":"a","account_id":"b"}}}"""u8);

        Assert.False(CanonicalJson.TryCanonicalize(request.Data!.Value, new ArrayBufferWriter<byte>(), "data", out var error));

        Assert.Equal(CanonicalJsonErrorKind.DuplicateKey, error.Kind);
        Assert.Equal("data.object.account_id", error.Path);
    }

    [Fact]
    public void A_bound_element_with_invalid_utf8_is_refused_not_replaced()
    {
        byte[] body = [.. """{"name":"x","data":{"object":{"note":"caf"""u8, 0xE9, .. "\"}}}"u8];
        var request = Bind(body);

        Assert.False(CanonicalJson.TryCanonicalize(request.Data!.Value, new ArrayBufferWriter<byte>(), "data", out var error));

        Assert.Equal(CanonicalJsonErrorKind.InvalidUtf8, error.Kind);
        Assert.Equal("data.object.note", error.Path);
    }

    private static CreateEvent Bind(ReadOnlySpan<byte> body) => JsonSerializer.Deserialize<CreateEvent>(body, Options)!;
}
