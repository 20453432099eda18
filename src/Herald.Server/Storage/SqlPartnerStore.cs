using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Partners;
using Herald.Core.Tenants;

namespace Herald.Server.Storage;

internal sealed class SqlPartnerStore(SqlDatabase database) : IPartnerStore
{
    private const string AppColumns = "id, name, client_id, client_secret_hash, created_at";

    private const string ConnectionSelect =
        "SELECT c.account_id, c.app_id, p.name AS app_name, a.org_id, c.status, c.created_at, c.updated_at FROM connections c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN apps p ON p.id = c.app_id";

    public async Task CreateAppAsync(PartnerApp app, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO apps ({AppColumns}) VALUES (@Id, @Name, @ClientId, @ClientSecretHash, @CreatedAt)", app, cancellationToken: cancellationToken));
    }

    public async Task<PartnerApp?> GetAppAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PartnerApp>(new CommandDefinition(
            $"SELECT {AppColumns} FROM apps WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<PartnerApp?> FindAppByClientIdAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PartnerApp>(new CommandDefinition(
            $"SELECT {AppColumns} FROM apps WHERE client_id = @clientId", new { clientId }, cancellationToken: cancellationToken));
    }

    public async Task<ConnectOutcome> ConnectAsync(string accountId, string appId, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        var existing = await connection.QuerySingleOrDefaultAsync<PartnerConnection>(new CommandDefinition(
            $"{ConnectionSelect} WHERE c.account_id = @accountId AND c.app_id = @appId", new { accountId, appId }, transaction, cancellationToken: cancellationToken));
        if (existing is { Status: ConnectionStatus.Active })
        {
            await transaction.CommitAsync(cancellationToken);
            return new ConnectOutcome(existing, Changed: false);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO connections (account_id, app_id, status, created_at, updated_at) VALUES (@accountId, @appId, '{ConnectionStatus.Active}', @now, @now)
            ON CONFLICT (account_id, app_id) DO UPDATE SET status = '{ConnectionStatus.Active}', updated_at = @now
            """,
            new { accountId, appId, now }, transaction, cancellationToken: cancellationToken));
        var connected = await connection.QuerySingleAsync<PartnerConnection>(new CommandDefinition(
            $"{ConnectionSelect} WHERE c.account_id = @accountId AND c.app_id = @appId", new { accountId, appId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new ConnectOutcome(connected, Changed: true);
    }

    public async Task<PagedList<PartnerConnection>> ListConnectionsAsync(OwnerScope scope, ConnectionFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, page, alias: "c")
            .And("c.account_id = @accountId", "accountId", filter.AccountId)
            .And("c.app_id = @appId", "appId", filter.AppId)
            .And("c.status = @status", "status", filter.Status);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<PartnerConnection>(new CommandDefinition(
            $"{ConnectionSelect} WHERE {where} ORDER BY c.created_at DESC, c.account_id DESC, c.app_id DESC LIMIT @take OFFSET @skip",
            where.Parameters, cancellationToken: cancellationToken));
        return PagedList<PartnerConnection>.FromOverfetch(rows, page);
    }

    public async Task<DisconnectOutcome> DisconnectAsync(
        DisconnectCommand command, Func<IReadOnlyList<string>, PendingEvent> buildEvent, long now, CancellationToken cancellationToken)
    {
        // Why a conditional UPDATE … RETURNING: only the transaction that actually flips a row from ACTIVE owns
        // that account for the event. SQLite serializes writers (BEGIN IMMEDIATE); on PostgreSQL the second
        // writer blocks on the row lock and then re-checks status = 'ACTIVE' after the first commits, finding
        // nothing. Either way a pair is reported by exactly one event.
        var accountFilter = command.AccountIds is not null
            ? database.In("account_id", "accountIds")
            : "account_id IN (SELECT id FROM accounts WHERE org_id = @orgId)";
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        var disconnected = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            UPDATE connections SET status = '{ConnectionStatus.Disconnected}', updated_at = @now
            WHERE app_id = @appId AND status = '{ConnectionStatus.Active}' AND {accountFilter}
            RETURNING account_id
            """,
            new { appId = command.AppId, accountIds = (command.AccountIds ?? []).ToArray(), orgId = command.OrgId, now }, transaction, cancellationToken: cancellationToken))).AsList();
        if (disconnected.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new DisconnectOutcome([], null, 0);
        }

        // The app's deliveries (app_id is the webhook owner) of these accounts' events stop here; the partner event
        // stored next carries no event_account_id, so it is never caught by this.
        var cancelled = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = '{DeliveryStatus.Cancelled}', next_attempt_at = NULL, updated_at = @now
            WHERE app_id = @appId AND status = '{DeliveryStatus.Queued}' AND {database.In("event_account_id", "accountIds")}
            """,
            new { appId = command.AppId, accountIds = disconnected.ToArray(), now }, transaction, cancellationToken: cancellationToken));

        var stored = await SqlEventStore.InsertAsync(database, connection, transaction, [buildEvent(disconnected)], now, cancellationToken);
        if (stored is not { ConflictIndex: null })
        {
            throw new InvalidOperationException("A freshly generated partner event id collided with a stored event.");
        }

        await transaction.CommitAsync(cancellationToken);
        return new DisconnectOutcome(disconnected, stored.Results[0], cancelled);
    }
}
