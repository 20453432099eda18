using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Herald.Contracts.Json;
using Herald.Contracts.Samples;

namespace Herald.Benchmarks.Contracts;

/// <summary>
/// <see cref="CanonicalJson"/> (runs on every ingested event) against the floor of re-writing JSON with the BCL:
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> + <see cref="JsonDocument.WriteTo"/>
/// into a compact <see cref="Utf8JsonWriter"/>, which is what ingest did before and which gives neither JavaScript's
/// numbers, escapes and key order nor the checks. Ratio = canonicalize time ÷ baseline time (BenchmarkDotNet's column).
/// </summary>
[MemoryDiagnoser]
public class CanonicalJsonBenchmarks
{
    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private byte[] _input = [];
    private ArrayBufferWriter<byte> _destination = new();

    /// <summary>
    /// <c>compact 1 KiB</c>: a catalog sample as a producer sends it; <c>indented 1.4 KiB</c>: the same sample
    /// pretty-printed (the sample file); <c>64 KiB</c>: a payment intent whose metadata holds many keys, numbers and
    /// some non-ASCII text.
    /// </summary>
    [Params("compact 1 KiB", "indented 1.4 KiB", "64 KiB")]
    public string Input { get; set; } = "compact 1 KiB";

    [GlobalSetup]
    public void Setup()
    {
        _input = Input switch
        {
            "compact 1 KiB" => EventSamples.GetData("payment_attempt.capture_requested").ToArray(),
            "indented 1.4 KiB" => Indented(EventSamples.GetData("payment_attempt.capture_requested").ToArray()),
            _ => Large(65536),
        };
        _destination = new ArrayBufferWriter<byte>(_input.Length * 2);
        var canonical = CanonicalJson.Canonicalize(_input);
        if (!canonical.IsSuccess || canonical.Utf8Json.Length < _input.Length / 2)
        {
            throw new InvalidOperationException($"The benchmark input does not canonicalize: {canonical.Error?.Message}");
        }
    }

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse + WriteTo (compact)")]
    public byte[] DocumentRewrite()
    {
        using var document = JsonDocument.Parse(_input);
        var buffer = new ArrayBufferWriter<byte>(_input.Length);
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            document.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [Benchmark(Description = "CanonicalJson.Canonicalize (new byte[])")]
    public byte[]? Canonicalize() => CanonicalJson.Canonicalize(_input, "data").Utf8Json;

    [Benchmark(Description = "CanonicalJson.TryCanonicalize (into a reused buffer)")]
    public bool TryCanonicalize()
    {
        _destination.ResetWrittenCount();
        return CanonicalJson.TryCanonicalize(_input, _destination, "data", out _);
    }

    private static byte[] Indented(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = CompactWriter.Encoder }))
        {
            document.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Large(int size)
    {
        var data = new StringBuilder("{\"object\":{\"id\":\"int_hkdmzpxvg0h3gqkqhv1\",\"amount\":1234.56,\"currency\":\"EUR\",\"descriptor\":\"Café Zürich\",\"metadata\":{");
        var i = 0;
        while (data.Length < size - 64)
        {
            data.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}\"k{i:D5}\":{{\"note\":\"línea {i} — ok\",\"amount\":{i}.{i % 100:D2},\"count\":{i}}}");
            i++;
        }

        data.Append("}}}");
        return Encoding.UTF8.GetBytes(data.ToString());
    }
}
