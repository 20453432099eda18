using System.Data.Common;
using Dapper;
using Npgsql;

namespace Herald.Receiver.Inbox;

/// <summary>The inbox in PostgreSQL; several receiver instances share it and claim with <c>FOR UPDATE SKIP LOCKED</c>.</summary>
internal sealed class PostgresInboxStore(string connectionString, TimeProvider timeProvider) : SqlInboxStore(timeProvider)
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    protected override string SchemaSql =>
        """
        SELECT pg_advisory_xact_lock(7262351);
        CREATE TABLE IF NOT EXISTS herald_inbox (
            event_id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            body BYTEA NOT NULL,
            received_at BIGINT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            locked_by TEXT NULL,
            locked_until BIGINT NULL,
            processed_at BIGINT NULL,
            parked_at BIGINT NULL,
            last_error TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS herald_inbox_due ON herald_inbox (next_attempt_at) WHERE processed_at IS NULL AND parked_at IS NULL;
        CREATE TABLE IF NOT EXISTS herald_object_versions (
            object_id TEXT NOT NULL PRIMARY KEY,
            last_created_at BIGINT NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS herald_partner_connections (
            id TEXT NOT NULL PRIMARY KEY,
            kind TEXT NOT NULL,
            app_id TEXT NULL,
            connected BIGINT NOT NULL,
            changed_at BIGINT NOT NULL,
            reason TEXT NULL,
            event_id TEXT NULL
        );
        """;

    protected override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    protected override async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        // One transaction under an advisory lock: several instances starting together do not race on CREATE.
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await connection.ExecuteAsync(new CommandDefinition(SchemaSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
