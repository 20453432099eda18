using System.Collections.Frozen;
using System.Text.Json;
using Herald.Contracts.Envelope;

namespace Herald.Receiver.Events;

/// <summary>Parses envelopes into typed events. Never used before the body was verified (except by explicit choice).</summary>
internal static partial class WebhookEventParser
{
    private static readonly FrozenDictionary<string, Func<WebhookEvent>> Factories =
        CatalogFactories.ToFrozenDictionary(entry => entry.Name, entry => entry.Create, StringComparer.Ordinal);

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>The CLR type each catalog name parses into.</summary>
    public static FrozenDictionary<string, Type> TypesByName { get; } =
        CatalogFactories.ToFrozenDictionary(entry => entry.Name, entry => entry.Create().GetType(), StringComparer.Ordinal);

    public static WebhookEvent Parse(ReadOnlySpan<byte> body) => ParseOwned(body.ToArray());

    public static WebhookEvent ParseOwned(ReadOnlyMemory<byte> body)
    {
        JsonElement root;
        try
        {
            var reader = new Utf8JsonReader(body.Span, ReaderOptions);
            root = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The body is not valid JSON ({exception.Message}); a webhook body is a JSON event envelope.", exception);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The body is not a JSON object; a webhook body is a JSON event envelope.");
        }

        var id = JsonRead.String(root, "id") ?? throw new FormatException("The envelope has no \"id\".");
        var name = JsonRead.String(root, "name") ?? throw new FormatException("The envelope has no \"name\".");
        var webhookEvent = Factories.TryGetValue(name, out var create) ? create() : new UnknownWebhookEvent();
        webhookEvent.Id = id;
        webhookEvent.Name = name;
        webhookEvent.AccountId = JsonRead.String(root, "account_id", "accountId");
        webhookEvent.AppId = JsonRead.String(root, "app_id", "appId");
        webhookEvent.Version = JsonRead.String(root, "version");
        webhookEvent.CreatedAt = WebhookTimestamps.TryParse(JsonRead.String(root, "created_at", "createdAt"), out var createdAt) ? createdAt : null;
        webhookEvent.RawJson = body;
        if (root.TryGetProperty("data", out var data))
        {
            webhookEvent.Data = data;
        }

        try
        {
            webhookEvent.ReadData(data);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The data of '{name}' event '{id}' does not have the expected shape: {exception.Message}", exception);
        }

        return webhookEvent;
    }

    /// <summary>Reads only <c>id</c> and <c>name</c> of an envelope (for the inbox), without building objects.</summary>
    public static bool TryReadIdAndName(ReadOnlySpan<byte> body, out string id, out string name)
    {
        id = string.Empty;
        name = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                var isName = !isId && reader.ValueTextEquals("name"u8);
                reader.Read();
                if ((isId || isName) && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                {
                    var value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                    if (isId)
                    {
                        id = value;
                    }
                    else
                    {
                        name = value;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            // The loop ends at the closing brace of a well-formed object; anything else is not an envelope.
            return reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0 && id.Length > 0 && name.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
