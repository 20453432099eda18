using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Core;

namespace Herald.Server.Api.Errors;

/// <summary>
/// Reads every string of every request body through <see cref="InputText"/>: a control character or an unpaired
/// surrogate escape anywhere in an identifier, name, URL or description is a 400 naming the field, on both stores.
/// <c>data</c> is a <see cref="JsonElement"/> and does not pass through here (it is stored as JSON bytes).
/// </summary>
internal sealed class TextJsonConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException();
        }

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidTextException("contains an unpaired UTF-16 surrogate escape or bytes that are not UTF-8");
        }

        return InputText.Problem(value) is { } problem ? throw new InvalidTextException(problem) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>A request string that <see cref="InputText"/> refuses; the serializer adds the path, <see cref="JsonBodyErrors"/> names it.</summary>
internal sealed class InvalidTextException(string problem) : JsonException(problem)
{
    public string Problem { get; } = problem;
}
