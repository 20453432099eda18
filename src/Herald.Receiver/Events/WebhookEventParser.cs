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
    /// <c>created_at</c> as <see cref="WebhookTimestamps.TryParse"/> reads it; the usual shape
    /// (<c>2026-05-20T13:54:20+0000</c>, or with <c>Z</c> or <c>+00:00</c>) is read from the bytes directly, which
    /// costs a fraction of the general parser (a string and culture-aware parsing).
    /// </summary>
    private static DateTimeOffset? Timestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && TryParseCanonicalTimestamp(reader.ValueSpan, out var instant))
        {
            return instant;
        }

        return WebhookTimestamps.TryParse(Text(ref reader), out instant) ? instant : null;
    }

    /// <summary>Reads exactly <c>yyyy-MM-ddTHH:mm:ss</c> then <c>Z</c>, <c>±hhmm</c> or <c>±hh:mm</c>; anything else is left to the general parser.</summary>
    internal static bool TryParseCanonicalTimestamp(ReadOnlySpan<byte> text, out DateTimeOffset instant)
    {
        instant = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) || !TryDigits(text.Slice(8, 2), out var day)
            || !TryDigits(text.Slice(11, 2), out var hour) || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var zone = text[19..];
        int offsetMinutes;
        if (zone.Length == 1 && zone[0] == 'Z')
        {
            offsetMinutes = 0;
        }
        else if (zone.Length is 5 or 6 && zone[0] is (byte)'+' or (byte)'-' && (zone.Length == 5 || zone[3] == ':')
            && TryDigits(zone.Slice(1, 2), out var offsetHours) && TryDigits(zone[^2..], out var offsetRest) && offsetHours <= 14 && offsetRest < 60)
        {
            offsetMinutes = ((offsetHours * 60) + offsetRest) * (zone[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        // Years 1 and 9999 are left to the general parser: shifting by the offset could leave DateTime's range.
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddMinutes(-offsetMinutes);
        instant = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
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
