using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Receiver.Events;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    Converters = [typeof(LenientStringConverter)])]
[JsonSerializable(typeof(PaymentIntent))]
[JsonSerializable(typeof(PaymentAttempt))]
[JsonSerializable(typeof(PaymentConsent))]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(Refund))]
[JsonSerializable(typeof(PaymentMethod))]
[JsonSerializable(typeof(Dispute))]
internal sealed partial class ReceiverJsonContext : JsonSerializerContext;

/// <summary>Reads strings leniently: numbers and booleans become their JSON text, objects and arrays become null.</summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                return System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
