using System.Data.Common;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// PostgreSQL for production and several nodes: the shared SQL of <see cref="SqlHeraldStore"/>, with due
/// deliveries claimed <c>FOR UPDATE SKIP LOCKED</c> so nodes never lease the same row, and a crashed node's
/// leases simply expire.
/// </summary>
internal sealed class PostgresHeraldStore(NpgsqlDataSource dataSource) : SqlHeraldStore, IAsyncDisposable
{
    // Any constant: serializes schema migration when several nodes start at once.
    private const long MigrationLockKey = 0x48_45_52_41_4C_44;

    public static PostgresHeraldStore Create(string connectionString) => new(NpgsqlDataSource.Create(connectionString));

    protected override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    protected override string In(string column, string parameter) => $"{column} = ANY(@{parameter})";

    protected override string NotIn(string column, string parameter) => $"{column} <> ALL(@{parameter})";

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    protected override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // One transaction, so the advisory lock holds until the whole script has run.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(SchemaSql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    protected override string SchemaSql =>
        $"""
        SELECT pg_advisory_xact_lock({MigrationLockKey});
        CREATE TABLE IF NOT EXISTS organizations (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS accounts (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, org_id TEXT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
          id TEXT PRIMARY KEY, key_hash BYTEA NOT NULL UNIQUE, account_id TEXT NULL, org_id TEXT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS apps (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, client_id TEXT NOT NULL UNIQUE, client_secret_hash BYTEA NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS connections (
          account_id TEXT NOT NULL, app_id TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
          PRIMARY KEY (account_id, app_id));
        CREATE TABLE IF NOT EXISTS webhooks (
          id TEXT PRIMARY KEY, account_id TEXT NULL, app_id TEXT NULL, url TEXT NOT NULL, event_list TEXT NOT NULL, all_events BOOLEAN NOT NULL,
          secret TEXT NULL, next_secret TEXT NULL, next_secret_at BIGINT NULL, status TEXT NOT NULL, disabled_reason TEXT NULL,
          description TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deleted_at BIGINT NULL);
        CREATE TABLE IF NOT EXISTS events (
          seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
          created_at BIGINT NOT NULL, version TEXT NULL, content_hash BYTEA NOT NULL, body BYTEA NOT NULL, ingested_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS deliveries (
          id TEXT PRIMARY KEY, event_id TEXT NOT NULL, event_name TEXT NOT NULL, webhook_id TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
          event_account_id TEXT NULL, status TEXT NOT NULL, attempt_count INTEGER NOT NULL, round_attempts INTEGER NOT NULL,
          next_attempt_at BIGINT NULL, lease_owner TEXT NULL, lease_expires_at BIGINT NULL, retriggered BOOLEAN NOT NULL,
          last_status_code INTEGER NULL, last_error TEXT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS attempts (
          id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, delivery_id TEXT NOT NULL, number INTEGER NOT NULL, started_at BIGINT NOT NULL,
          duration_ms BIGINT NOT NULL, status_code INTEGER NULL, error TEXT NULL, response_body TEXT NULL);
        {IndexesSql}
        """;

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
