using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Data.Common;
using Herald.Internal;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Readers never block; writers take turns, first in this process's
/// queue and then on SQLite's lock (transactions begin IMMEDIATE). Commits are batched by the callers, not here.
/// </summary>
internal sealed class SqliteDatabase(string connectionString, string synchronous) : SqlDatabase
{
    // One queue per file, shared by every SqliteDatabase on it in this process. Microsoft.Data.Sqlite answers a busy
    // lock by sleeping 150 ms and trying again; under load those sleeps, not the writes, set the pace (888 deliveries/s
    // against 37,918/s on the wire before this queue). busy_timeout still covers another process on the same file.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteTurns = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _writeTurn = WriteTurns.GetOrAdd(new SqliteConnectionStringBuilder(connectionString).DataSource, _ => new SemaphoreSlim(1, 1));

    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, SqliteDatabase> Configured = [];

    private readonly string _pragmas =
        $"PRAGMA synchronous = {(synchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL")}; PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = 30000;";

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

        // Pragmas belong to the native connection, which the pool keeps: set them once per native connection (again when
        // another SqliteDatabase on the same file, with other settings, used it last).
        if (!Configured.TryGetValue(connection.Handle!, out var configuredBy) || !ReferenceEquals(configuredBy, this))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Configured.AddOrUpdate(connection.Handle!, this);
        }

        return connection;
    }

    public override string UseIndex(string index) => $"INDEXED BY {index}";

    public override async ValueTask<WriteTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            return new WriteTransaction(((SqliteConnection)connection).BeginTransaction(deferred: false), _writeTurn);
        }
        catch
        {
            _writeTurn.Release();
            throw;
        }
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
