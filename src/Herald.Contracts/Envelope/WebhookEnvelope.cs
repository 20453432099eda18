using System.Buffers;
using System.Text.Json;

namespace Herald.Contracts.Envelope;

/// <summary>
/// Writes the event envelope exactly as the contract orders it:
/// <c>id, name, account_id | app_id, data, created_at, version</c>, compact, snake_case, no nulls.
/// </summary>
public static class WebhookEnvelope
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Identifiers and names are restricted ASCII; relaxed escaping keeps any other text readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Serializes an envelope once; the bytes are then sent unchanged to every endpoint and retry.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="name">The catalog event name.</param>
    /// <param name="accountId">The owning account, for account events; otherwise <see langword="null"/>.</param>
    /// <param name="appId">The partner application, for partner events; otherwise <see langword="null"/>.</param>
    /// <param name="data">The <c>data</c> member as a complete JSON object, written through unchanged.</param>
    /// <param name="createdAt">The event time; written in <see cref="WebhookTimestamps.CreatedAtFormat"/>.</param>
    /// <param name="version">The event version, for example <c>2026-02-27</c>; omitted when null or empty.</param>
    /// <returns>The UTF-8 JSON envelope.</returns>
    public static byte[] Serialize(string id, string name, string? accountId, string? appId, ReadOnlySpan<byte> data, DateTimeOffset createdAt, string? version)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var buffer = new ArrayBufferWriter<byte>(data.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, id);
            writer.WriteString("name"u8, name);
            if (!string.IsNullOrEmpty(accountId))
            {
                writer.WriteString("account_id"u8, accountId);
            }

            if (!string.IsNullOrEmpty(appId))
            {
                writer.WriteString("app_id"u8, appId);
            }

            writer.WritePropertyName("data"u8);
            writer.WriteRawValue(data, skipInputValidation: false);
            writer.WriteString("created_at"u8, WebhookTimestamps.FormatCreatedAt(createdAt));
            if (!string.IsNullOrEmpty(version))
            {
                writer.WriteString("version"u8, version);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
