using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Core.Diagnostics;
using Herald.Core.Events;

namespace Herald.Core.Partners;

/// <summary>Builds the <c>partner_connection.disconnected</c> event Herald emits; its bytes are then stored and sent like any event's.</summary>
internal static class DisconnectedEvent
{
    public const string UserInitiated = "user_initiated";

    public static StoredEvent Build(string appId, IReadOnlyList<string> accountIds, string? orgId, DateTimeOffset now, string version)
    {
        var data = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(data))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("account_ids"u8);
            foreach (var accountId in accountIds)
            {
                writer.WriteStringValue(accountId);
            }

            writer.WriteEndArray();
            if (!string.IsNullOrEmpty(orgId))
            {
                writer.WriteString("org_id"u8, orgId);
            }

            writer.WriteString("reason"u8, UserInitiated);
            writer.WriteEndObject();
        }

        var id = Ids.New(Ids.Event);
        var createdAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var body = WebhookEnvelope.Serialize(id, EventCatalog.PartnerConnectionDisconnected, accountId: null, appId, data.WrittenSpan, createdAt, version);
        return new StoredEvent
        {
            Id = id,
            Name = EventCatalog.PartnerConnectionDisconnected,
            AppId = appId,
            CreatedAt = createdAt.ToUnixTimeMilliseconds(),
            Version = version,
            ContentHash = SHA256.HashData(body),
            Body = body,
            IngestedAt = now.ToUnixTimeMilliseconds(),

            // Its deliveries' attempts join the trace of the request that disconnected the app.
            TraceParent = HeraldActivities.TraceParent(Activity.Current),
        };
    }
}
