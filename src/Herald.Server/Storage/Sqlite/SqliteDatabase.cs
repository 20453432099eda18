using System.Data.Common;
using Herald.Internal;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Writers serialize on SQLite's lock (transactions begin
/// IMMEDIATE), readers never block; commits are batched by the callers, not here.
/// </summary>
internal sealed class SqliteDatabase(string connectionString, string synchronous) : SqlDatabase
{
    private readonly string _pragmas = $"PRAGMA synchronous = {(synchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL")}; PRAGMA foreign_keys = OFF;";

    public const string FileName = "herald.db";

    public static SqliteDatabase ForDataFolder(string dataPath, string synchronous)
    {
        PrivateFiles.EnsureFolder(dataPath);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(Path.Combine(dataPath, FileName)),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new SqliteDatabase(builder.ConnectionString, synchronous);
    }

    public override SchemaDialect Dialect => SchemaDialect.Sqlite;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // A deferred transaction takes no write lock; in WAL mode its first read fixes the snapshot for the rest.
    public override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    // Pooled connections close with the process; clearing every pool here would also close other databases' connections.
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override async Task<SchemaMigrationResult> MigrateAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        // The database file is made 0600 before SQLite first opens it; SQLite gives its -wal and -shm files the
        // database file's mode, and files an older Herald left wider are tightened.
        if (new SqliteConnectionStringBuilder(connectionString).DataSource is { Length: > 0 } file && file != ":memory:" && !file.StartsWith("file:", StringComparison.Ordinal))
        {
            PrivateFiles.EnsureFile(file);
            PrivateFiles.Tighten(file + "-wal");
            PrivateFiles.Tighten(file + "-shm");
        }

        // WAL is a property of the file, set once and outside any transaction, so it is not a migration.
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode = WAL";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return await base.MigrateAsync(timeProvider, cancellationToken);
    }
}
