using System.Text.Json;

namespace Herald.Receiver.Events;

/// <summary>
/// <c>partner_connection.disconnected</c>: every connection between the listed accounts (and the organization,
/// when <see cref="OrgId"/> is set) and your partner application ended. Mark all of them inactive.
/// </summary>
public sealed class PartnerConnectionDisconnected : WebhookEvent
{
    /// <summary>Every account that was disconnected (one action may disconnect several).</summary>
    public IReadOnlyList<string> AccountIds { get; private set; } = [];

    /// <summary>The organization, when the disconnection involved one; <see langword="null"/> when absent, null or empty.</summary>
    public string? OrgId { get; private set; }

    /// <summary>Why the disconnection happened; <c>user_initiated</c> today, an open set.</summary>
    public string? Reason { get; private set; }

    internal override void ReadData(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var source = data.TryGetProperty("object", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : data;
        if ((source.TryGetProperty("account_ids", out var ids) || source.TryGetProperty("accountIds", out ids)) && ids.ValueKind == JsonValueKind.Array)
        {
            var list = new List<string>(ids.GetArrayLength());
            foreach (var item in ids.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } id)
                {
                    list.Add(id);
                }
            }

            AccountIds = list;
        }

        OrgId = JsonRead.String(source, "org_id", "orgId");
        Reason = JsonRead.String(source, "reason");
    }
}
