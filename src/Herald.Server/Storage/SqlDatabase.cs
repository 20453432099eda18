using System.Data.Common;
using Herald.Internal;

namespace Herald.Server.Storage;

/// <summary>
/// One database and its dialect: connections with the dialect's session settings, the few SQL spellings that
/// differ between SQLite and PostgreSQL, and the schema migrations. The stores share the rest of their SQL.
/// </summary>
internal abstract class SqlDatabase : IAsyncDisposable
{
    /// <summary>The version table and advisory-lock key of the server schema (the receiver's inbox uses others).</summary>
    public const string MigrationTable = "schema_migrations";
    public const long MigrationLockKey = 0x48_45_52_41_4C_44;

    static SqlDatabase() => SnakeCaseTypeMaps.Register();

    public abstract SchemaDialect Dialect { get; }

    /// <summary>Opens a connection with the dialect's per-connection settings applied.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// <c>column IN (list)</c> for a list parameter. Dapper expands lists into separate parameters for SQLite but
    /// passes one array parameter to PostgreSQL, which needs <c>= ANY(array)</c> instead.
    /// </summary>
    public virtual string In(string column, string parameter) => $"{column} IN @{parameter}";

    /// <summary>The negation of <see cref="In"/>.</summary>
    public virtual string NotIn(string column, string parameter) => $"{column} NOT IN @{parameter}";

    /// <summary>
    /// Follows a table name to make the query read <paramref name="index"/>: SQLite's <c>INDEXED BY</c>. SQLite keeps
    /// no statistics unless asked, and without them it can pick an index that reads far more; PostgreSQL plans from
    /// its statistics and gets nothing.
    /// </summary>
    public virtual string UseIndex(string index) => string.Empty;

    /// <summary>Appended to the claim's row selection, e.g. <c>FOR UPDATE SKIP LOCKED</c>.</summary>
    public virtual string ClaimLockClause => string.Empty;

    /// <summary>
    /// Begins a transaction that writes. Dispose it: that rolls back what was not committed and, on SQLite, lets the
    /// next writer in.
    /// </summary>
    public virtual async ValueTask<WriteTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new(await connection.BeginTransactionAsync(cancellationToken), turn: null);

    /// <summary>A read-only transaction in which every query sees the same committed state.</summary>
    public abstract ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Brings the schema up to date (see <see cref="SchemaMigrator"/>); safe to run on every node at every start.</summary>
    public virtual async Task<SchemaMigrationResult> MigrateAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var migrations = SchemaMigrator.FromEmbeddedResources(typeof(SqlDatabase).Assembly, $"Herald.Server.Storage.Migrations.{Dialect}.");
        await using var connection = await OpenAsync(cancellationToken);
        return await new SchemaMigrator(Dialect, MigrationTable, MigrationLockKey, timeProvider).MigrateAsync(connection, migrations, cancellationToken);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public abstract ValueTask DisposeAsync();
}
