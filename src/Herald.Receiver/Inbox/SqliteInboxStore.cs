using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Herald.Receiver.Inbox;

/// <summary>The inbox in a SQLite file, WAL mode, one short write transaction per acknowledged event.</summary>
internal sealed class SqliteInboxStore : SqlInboxStore
{
    private readonly string _connectionString;
    private readonly string _sessionPragmas;

    public SqliteInboxStore(string connectionString, string synchronous, TimeProvider timeProvider)
        : base(timeProvider)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DataSource is { Length: > 0 } file && !file.Equals(":memory:", StringComparison.Ordinal)
            && Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = builder.ConnectionString;
        var level = synchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL";

        // SQLite's own busy handler waits in small steps; without it Microsoft.Data.Sqlite retries in 150 ms sleeps.
        _sessionPragmas = $"PRAGMA busy_timeout = 15000; PRAGMA synchronous = {level};";
    }

    protected override string SchemaSql =>
        """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS herald_inbox (
            event_id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            body BLOB NOT NULL,
            received_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            locked_by TEXT NULL,
            locked_until INTEGER NULL,
            processed_at INTEGER NULL,
            parked_at INTEGER NULL,
            last_error TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS herald_inbox_due ON herald_inbox (next_attempt_at) WHERE processed_at IS NULL AND parked_at IS NULL;
        CREATE TABLE IF NOT EXISTS herald_object_versions (
            object_id TEXT NOT NULL PRIMARY KEY,
            last_created_at INTEGER NOT NULL,
            event_id TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS herald_partner_connections (
            id TEXT NOT NULL PRIMARY KEY,
            kind TEXT NOT NULL,
            app_id TEXT NULL,
            connected INTEGER NOT NULL,
            changed_at INTEGER NOT NULL,
            reason TEXT NULL,
            event_id TEXT NULL
        );
        """;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = _sessionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Deferred: the write lock is taken at the transaction's first write (usually the completion at its end), so a
    // slow handler does not hold up acknowledging new events.
    public override Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
