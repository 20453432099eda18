using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Writers serialize on SQLite's lock (transactions begin
/// IMMEDIATE), readers never block; commits are batched by the callers, not by this class.
/// </summary>
internal sealed class SqliteHeraldStore(string connectionString, string synchronous) : SqlHeraldStore
{
    private readonly string _pragmas = $"PRAGMA synchronous = {(synchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL")}; PRAGMA foreign_keys = OFF;";

    public static SqliteHeraldStore ForDataFolder(string dataPath, string synchronous)
    {
        Directory.CreateDirectory(dataPath);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(Path.Combine(dataPath, "herald.db")),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new SqliteHeraldStore(builder.ConnectionString, synchronous);
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // A deferred transaction takes no write lock; in WAL mode its first read fixes the snapshot for the rest.
    protected override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    protected override string SchemaSql =>
        $"""
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS organizations (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS accounts (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, org_id TEXT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
          id TEXT PRIMARY KEY, key_hash BLOB NOT NULL UNIQUE, account_id TEXT NULL, org_id TEXT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS apps (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, client_id TEXT NOT NULL UNIQUE, client_secret_hash BLOB NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS connections (
          account_id TEXT NOT NULL, app_id TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
          PRIMARY KEY (account_id, app_id));
        CREATE TABLE IF NOT EXISTS webhooks (
          id TEXT PRIMARY KEY, account_id TEXT NULL, app_id TEXT NULL, url TEXT NOT NULL, event_list TEXT NOT NULL, all_events INTEGER NOT NULL,
          secret TEXT NULL, next_secret TEXT NULL, next_secret_at INTEGER NULL, status TEXT NOT NULL, disabled_reason TEXT NULL,
          description TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, deleted_at INTEGER NULL);
        CREATE TABLE IF NOT EXISTS events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
          created_at INTEGER NOT NULL, version TEXT NULL, content_hash BLOB NOT NULL, body BLOB NOT NULL, ingested_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS deliveries (
          id TEXT PRIMARY KEY, event_id TEXT NOT NULL, event_name TEXT NOT NULL, webhook_id TEXT NOT NULL, account_id TEXT NULL, app_id TEXT NULL,
          event_account_id TEXT NULL, status TEXT NOT NULL, attempt_count INTEGER NOT NULL, round_attempts INTEGER NOT NULL,
          next_attempt_at INTEGER NULL, lease_owner TEXT NULL, lease_expires_at INTEGER NULL, retriggered INTEGER NOT NULL,
          last_status_code INTEGER NULL, last_error TEXT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS attempts (
          id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL, number INTEGER NOT NULL, started_at INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL, status_code INTEGER NULL, error TEXT NULL, response_body TEXT NULL);
        {IndexesSql}
        """;
}
