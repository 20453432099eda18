using System.Data.Common;
using Herald.Internal;
using Herald.Receiver.Inbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Sqlite;

/// <summary>The inbox in a SQLite file: WAL mode, group-committed acknowledgements, versioned schema.</summary>
internal sealed class SqliteInboxStore : SqlInboxStore
{
    private static readonly Lazy<IReadOnlyList<SchemaMigration>> Scripts =
        new(() => SchemaMigrator.FromEmbeddedResources(typeof(SqliteInboxStore).Assembly, "Herald.Receiver.Sqlite.Migrations."));

    private readonly string _connectionString;
    private readonly string _sessionPragmas;
    private readonly string _processingPragmas;

    public SqliteInboxStore(string connectionString, SqliteInboxSynchronous synchronous, TimeProvider timeProvider, ILogger? logger = null)
        : base(timeProvider, logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DataSource is { Length: > 0 } file && !file.Equals(":memory:", StringComparison.Ordinal)
            && Path.GetDirectoryName(Path.GetFullPath(file)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = builder.ConnectionString;
        var level = synchronous == SqliteInboxSynchronous.Normal ? "NORMAL" : "FULL";

        // SQLite's own busy handler waits in small steps; without it Microsoft.Data.Sqlite retries in 150 ms sleeps.
        _sessionPragmas = $"PRAGMA busy_timeout = 15000; PRAGMA synchronous = {level};";

        // The processor's writes are flushed by the next acknowledgement's commit (or checkpoint) instead of their
        // own: a WAL flush writes out everything before it. Acknowledgements keep the configured level.
        _processingPragmas = "PRAGMA busy_timeout = 15000; PRAGMA synchronous = NORMAL;";
    }

    protected override SchemaDialect Dialect => SchemaDialect.Sqlite;

    protected override bool TakesWriteTurns => true;

    protected override IReadOnlyList<SchemaMigration> Migrations => Scripts.Value;

    public override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(_sessionPragmas, cancellationToken);

    public override Task<DbConnection> OpenForProcessingAsync(CancellationToken cancellationToken) => OpenAsync(_processingPragmas, cancellationToken);

    private async Task<DbConnection> OpenAsync(string pragmas, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // WAL mode is a property of the file and cannot be switched inside a transaction, so it is set here, before
    // the migrations run, rather than in a script.
    protected override async Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Deferred: the write lock is taken at the transaction's first write (usually the completion at its end), so a
    // slow handler does not hold up acknowledging new events.
    public override Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

}
