using System.Data.Common;
using Dapper;
using Herald.Receiver.Inbox;

namespace Herald.Receiver.Partners;

/// <summary>Partner connection state in the inbox database (table <c>herald_partner_connections</c>).</summary>
internal sealed class PartnerConnectionStore(SqlInboxStore store) : IPartnerConnections
{
    public async Task<bool> IsConnectedAsync(string accountOrOrgId, CancellationToken cancellationToken = default) =>
        await GetStatusAsync(accountOrOrgId, cancellationToken).ConfigureAwait(false) == PartnerConnectionStatus.Connected;

    public async Task<PartnerConnectionStatus> GetStatusAsync(string accountOrOrgId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountOrOrgId);
        await store.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var connected = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT connected FROM herald_partner_connections WHERE id = @Id", new { Id = accountOrOrgId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return connected switch
            {
                null => PartnerConnectionStatus.Unknown,
                1 => PartnerConnectionStatus.Connected,
                _ => PartnerConnectionStatus.Disconnected,
            };
        }
    }

    public async Task MarkConnectedAsync(string accountOrOrgId, string? appId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountOrOrgId);
        await store.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO herald_partner_connections (id, kind, app_id, connected, changed_at, reason, event_id)
                VALUES (@Id, @Kind, @AppId, 1, @Now, NULL, NULL)
                ON CONFLICT (id) DO UPDATE SET connected = 1, changed_at = excluded.changed_at,
                    app_id = COALESCE(excluded.app_id, herald_partner_connections.app_id), reason = NULL, event_id = NULL
                """,
                new { Id = accountOrOrgId, Kind = KindOf(accountOrOrgId), AppId = appId, Now = store.Now },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Marks ids inactive in the event's transaction, unless they (re)connected after the event was created.</summary>
    public static async Task MarkDisconnectedAsync(DbConnection connection, DbTransaction transaction, IEnumerable<string> ids, string? appId, long changedAt, string? reason, string eventId, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO herald_partner_connections (id, kind, app_id, connected, changed_at, reason, event_id)
                VALUES (@Id, @Kind, @AppId, 0, @ChangedAt, @Reason, @EventId)
                ON CONFLICT (id) DO UPDATE SET connected = 0, changed_at = excluded.changed_at, reason = excluded.reason,
                    event_id = excluded.event_id, app_id = COALESCE(excluded.app_id, herald_partner_connections.app_id)
                WHERE herald_partner_connections.changed_at <= excluded.changed_at
                """,
                new { Id = id, Kind = KindOf(id), AppId = appId, ChangedAt = changedAt, Reason = reason, EventId = eventId },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static string KindOf(string id) => id.StartsWith("org_", StringComparison.Ordinal) ? "organization" : "account";
}
