using System.Buffers;
using System.Text.Json;
using Herald.Contracts.Json;

namespace Herald.Contracts.Envelope;

/// <summary>
/// Writes the event envelope exactly as the contract orders it:
/// <c>id, name, account_id | app_id, data, created_at, version</c>, compact, snake_case, no nulls, in the canonical
/// form <c>JSON.stringify(JSON.parse(body))</c> gives back (literal UTF-8, JavaScript's escapes; see
/// <see cref="CanonicalJson"/>).
/// </summary>
public static class WebhookEnvelope
{
    /// <summary>Serializes an envelope once; the bytes are then sent unchanged to every endpoint and retry.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="name">The catalog event name.</param>
    /// <param name="accountId">The owning account, for account events; otherwise <see langword="null"/>.</param>
    /// <param name="appId">The partner application, for partner events; otherwise <see langword="null"/>.</param>
    /// <param name="data">
    /// The <c>data</c> member as one complete JSON value, written through unchanged: pass it through
    /// <see cref="CanonicalJson"/> first so the whole body is canonical.
    /// </param>
    /// <param name="createdAt">The event time; written in <see cref="WebhookTimestamps.CreatedAtFormat"/>.</param>
    /// <param name="version">The event version, for example <c>2026-02-27</c>; omitted when null or empty.</param>
    /// <returns>The UTF-8 JSON envelope.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="data"/> is not one JSON value, or a text field holds a lone UTF-16 surrogate.
    /// </exception>
    public static byte[] Serialize(string id, string name, string? accountId, string? appId, ReadOnlySpan<byte> data, DateTimeOffset createdAt, string? version)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureOneJsonValue(data);
        var buffer = new ArrayBufferWriter<byte>(data.Length + 256);
        buffer.Write("{\"id\":"u8);
        JavaScriptString.WriteQuoted(buffer, id, nameof(id));
        buffer.Write(",\"name\":"u8);
        JavaScriptString.WriteQuoted(buffer, name, nameof(name));
        if (!string.IsNullOrEmpty(accountId))
        {
            buffer.Write(",\"account_id\":"u8);
            JavaScriptString.WriteQuoted(buffer, accountId, nameof(accountId));
        }

        if (!string.IsNullOrEmpty(appId))
        {
            buffer.Write(",\"app_id\":"u8);
            JavaScriptString.WriteQuoted(buffer, appId, nameof(appId));
        }

        buffer.Write(",\"data\":"u8);
        buffer.Write(data);
        buffer.Write(",\"created_at\":"u8);
        JavaScriptString.WriteQuoted(buffer, WebhookTimestamps.FormatCreatedAt(createdAt), nameof(createdAt));
        if (!string.IsNullOrEmpty(version))
        {
            buffer.Write(",\"version\":"u8);
            JavaScriptString.WriteQuoted(buffer, version, nameof(version));
        }

        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void EnsureOneJsonValue(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        try
        {
            if (reader.Read())
            {
                reader.Skip();
                if (!reader.Read())
                {
                    return;
                }
            }
        }
        catch (JsonException)
        {
            // Reported below with the same message as an empty or trailing-data input.
        }

        throw new ArgumentException("data must be one complete JSON value.", nameof(data));
    }
}
