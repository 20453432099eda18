using System.Collections.Frozen;
using System.Text.Json;
using Herald.Contracts.Envelope;

namespace Herald.Receiver.Events;

/// <summary>Parses envelopes into typed events. Never used before the body was verified (except by explicit choice).</summary>
internal static partial class WebhookEventParser
{
    private static readonly FrozenDictionary<string, Func<WebhookEvent>> Factories =
        CatalogFactories.ToFrozenDictionary(entry => entry.Name, entry => entry.Create, StringComparer.Ordinal);

    // Looks catalog names up from the UTF-8 text, so a known name costs no new string (the catalog's is reused).
    private static readonly FrozenDictionary<string, (string Name, Func<WebhookEvent> Create)>.AlternateLookup<ReadOnlySpan<char>> CatalogByText =
        CatalogFactories.ToFrozenDictionary(entry => entry.Name, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>The CLR type each catalog name parses into.</summary>
    public static FrozenDictionary<string, Type> TypesByName { get; } =
        CatalogFactories.ToFrozenDictionary(entry => entry.Name, entry => entry.Create().GetType(), StringComparer.Ordinal);

    public static WebhookEvent Parse(ReadOnlySpan<byte> body)
    {
        // The event keeps the bytes (RawJson, lazy Data); no need to zero an array that is overwritten at once.
        var copy = GC.AllocateUninitializedArray<byte>(body.Length);
        body.CopyTo(copy);
        return ParseOwned(copy);
    }

    /// <summary>
    /// Builds the event from the envelope's top-level fields. <c>data</c> (and any other object or array member) is
    /// only located with <see cref="JsonScan"/>, not tokenized: it is parsed from <see cref="WebhookEvent.RawJson"/>
    /// on first access. Everything outside those values goes through <see cref="Utf8JsonReader"/>, so a malformed
    /// envelope (bad syntax, unbalanced brackets, no id or name, not an object) still fails here.
    /// </summary>
    public static WebhookEvent ParseOwned(ReadOnlyMemory<byte> body)
    {
        var envelope = default(Envelope);
        try
        {
            ReadEnvelope(body.Span, ref envelope);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The body is not valid JSON ({exception.Message}); a webhook body is a JSON event envelope.", exception);
        }
        catch (InvalidOperationException exception)
        {
            // A string member that is not valid UTF-8, or escapes a lone surrogate ("\ud800"): not text.
            throw new FormatException($"The body has a top-level string that is not valid Unicode ({exception.Message}); a webhook body is UTF-8 JSON.", exception);
        }

        var id = envelope.Id ?? throw new FormatException("The envelope has no \"id\".");
        var name = envelope.Name ?? throw new FormatException("The envelope has no \"name\".");
        var webhookEvent = Factories.TryGetValue(name, out var create) ? create() : new UnknownWebhookEvent();
        webhookEvent.Id = id;
        webhookEvent.Name = name;
        webhookEvent.AccountId = envelope.AccountId.Value;
        webhookEvent.AppId = envelope.AppId.Value;
        webhookEvent.Version = envelope.Version;
        webhookEvent.CreatedAt = envelope.CreatedAt.Value;
        webhookEvent.RawJson = body;
        webhookEvent.DataRange = envelope.Data;
        return webhookEvent;
    }

    private static void ReadEnvelope(ReadOnlySpan<byte> body, ref Envelope envelope)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("The body is not a JSON object; a webhook body is a JSON event envelope.");
        }

        // Where reader's buffer starts in body: the reader is replaced after each container value it steps over.
        var offset = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Identify(ref reader);

            // The reader has consumed the name and the colon; look at the value's first byte ourselves.
            var valueStart = offset + (int)reader.BytesConsumed;
            while (valueStart < body.Length && body[valueStart] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                valueStart++;
            }

            if (valueStart < body.Length && body[valueStart] is (byte)'{' or (byte)'[')
            {
                var end = JsonScan.FindContainerEnd(body, valueStart);
                if (end < 0)
                {
                    throw new FormatException("The body is not valid JSON (an object or array is never closed); a webhook body is a JSON event envelope.");
                }

                if (member == Member.Data)
                {
                    envelope.Data = valueStart..end;
                }

                // Let the reader see "{}" in place of the container (a streaming continuation: the reader's state
                // carries over), then go on with the bytes after it. The envelope around it is still fully checked.
                reader = new Utf8JsonReader("{}"u8, isFinalBlock: false, reader.CurrentState);
                reader.Read();
                reader.Read();
                reader = new Utf8JsonReader(body[end..], isFinalBlock: true, reader.CurrentState);
                offset = end;
                continue;
            }

            reader.Read();
            var tokenStart = offset + (int)reader.TokenStartIndex;
            reader.Skip();
            switch (member)
            {
                case Member.Id:
                    envelope.Id = Text(ref reader);
                    break;
                case Member.Name:
                    envelope.Name = CatalogName(ref reader) ?? Text(ref reader);
                    break;
                case Member.AccountId:
                    envelope.AccountId.Set(primary: true, Text(ref reader));
                    break;
                case Member.AccountIdCamel:
                    envelope.AccountId.Set(primary: false, Text(ref reader));
                    break;
                case Member.AppId:
                    envelope.AppId.Set(primary: true, Text(ref reader));
                    break;
                case Member.AppIdCamel:
                    envelope.AppId.Set(primary: false, Text(ref reader));
                    break;
                case Member.CreatedAt:
                    envelope.CreatedAt.Set(primary: true, Timestamp(ref reader));
                    break;
                case Member.CreatedAtCamel:
                    envelope.CreatedAt.Set(primary: false, Timestamp(ref reader));
                    break;
                case Member.Version:
                    envelope.Version = Text(ref reader);
                    break;
                case Member.Data:
                    // A scalar data (null, a string…): keep its exact text, comments after it excluded.
                    envelope.Data = tokenStart..(offset + (int)reader.BytesConsumed);
                    break;
                default:
                    break;
            }
        }

        // The loop ends at the closing brace of the envelope; as before, bytes after it are not looked at.
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new FormatException("The body is not a JSON object; a webhook body is a JSON event envelope.");
        }
    }

    private static Member Identify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Member.Id
        : reader.ValueTextEquals("name"u8) ? Member.Name
        : reader.ValueTextEquals("data"u8) ? Member.Data
        : reader.ValueTextEquals("account_id"u8) ? Member.AccountId
        : reader.ValueTextEquals("accountId"u8) ? Member.AccountIdCamel
        : reader.ValueTextEquals("app_id"u8) ? Member.AppId
        : reader.ValueTextEquals("appId"u8) ? Member.AppIdCamel
        : reader.ValueTextEquals("created_at"u8) ? Member.CreatedAt
        : reader.ValueTextEquals("createdAt"u8) ? Member.CreatedAtCamel
        : reader.ValueTextEquals("version"u8) ? Member.Version
        : Member.Other;

    /// <summary>
    /// <c>created_at</c> as <see cref="WebhookTimestamps"/> reads it: an unescaped string straight from its UTF-8 bytes
    /// (the usual shape without allocating), anything else from its text.
    /// </summary>
    private static DateTimeOffset? Timestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            if (WebhookTimestamps.TryParse(reader.ValueSpan, out var instant))
            {
                return instant;
            }

            // Not an instant is fine (CreatedAt is null); not text at all is a broken envelope, as for every member.
            return System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)
                ? null
                : throw new FormatException("The body's created_at is not valid UTF-8; a webhook body is UTF-8 JSON.");
        }

        return WebhookTimestamps.TryParse(Text(ref reader), out var parsed) ? parsed : null;
    }

    /// <summary>The catalog's own string when the token is a catalog name, else <see langword="null"/>.</summary>
    private static string? CatalogName(ref Utf8JsonReader reader)
    {
        const int Longest = 64;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > Longest)
        {
            return null;
        }

        Span<char> chars = stackalloc char[Longest];
        return System.Text.Unicode.Utf8.ToUtf16(reader.ValueSpan, chars, out _, out var written, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done
            && CatalogByText.TryGetValue(chars[..written], out var entry)
            ? entry.Name
            : null;
    }

    /// <summary>A scalar as text, like <see cref="JsonRead.String"/>: strings as-is, numbers and booleans as their JSON text; null and "" give null.</summary>
    private static string? Text(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => null,
        };
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>
    /// Checks an envelope the way the processor will read it, before it is acknowledged into the inbox: a JSON object
    /// whose top-level members are valid text, with an <c>id</c> and a <c>name</c> the inbox can key on
    /// (<see cref="Inbox.InboxText.IsKey"/>). <paramref name="problem"/> says what is wrong, without echoing input.
    /// </summary>
    public static bool TryReadInboxKeys(ReadOnlyMemory<byte> body, out string id, out string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        id = string.Empty;
        name = string.Empty;
        WebhookEvent envelope;
        try
        {
            envelope = ParseOwned(body);
        }
        catch (FormatException)
        {
            problem = "not a JSON event envelope with an id and a name";
            return false;
        }

        if (!Inbox.InboxText.IsKey(envelope.Id))
        {
            problem = "id must be 1-256 characters without control characters";
            return false;
        }

        if (!Inbox.InboxText.IsKey(envelope.Name))
        {
            problem = "name must be 1-256 characters without control characters";
            return false;
        }

        id = envelope.Id;
        name = envelope.Name;
        problem = null;
        return true;
    }

    private enum Member
    {
        Other,
        Id,
        Name,
        Data,
        AccountId,
        AccountIdCamel,
        AppId,
        AppIdCamel,
        CreatedAt,
        CreatedAtCamel,
        Version,
    }

    /// <summary>A field with a snake_case name and a camelCase alternative: the snake_case one wins when present, as with <see cref="JsonRead.String"/>.</summary>
    private struct Alternates<T>
    {
        private bool _primarySeen;

        public T? Value { get; private set; }

        public void Set(bool primary, T? value)
        {
            if (primary || !_primarySeen)
            {
                Value = value;
                _primarySeen |= primary;
            }
        }
    }

    /// <summary>The top-level fields read so far (for a repeated member the last one wins).</summary>
    private struct Envelope
    {
        public string? Id;
        public string? Name;
        public Alternates<string> AccountId;
        public Alternates<string> AppId;
        public Alternates<DateTimeOffset?> CreatedAt;
        public string? Version;
        public Range Data;
    }
}
