using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Herald.Internal;

/// <summary>The SQL databases a <see cref="SchemaMigrator"/> knows how to lock and upgrade.</summary>
internal enum SchemaDialect
{
    Sqlite,
    Postgres,
}

/// <summary>One numbered schema change. Applied once, in order, and recorded in the version table.</summary>
/// <param name="Version">The number from the script's file name (<c>0003_lease_tokens.sql</c> → 3).</param>
/// <param name="Name">The rest of the file name, for the record.</param>
/// <param name="Sql">The script. It runs in one transaction, unless its first line is <see cref="SchemaMigration.NoTransactionMarker"/>.</param>
internal sealed record SchemaMigration(int Version, string Name, string Sql)
{
    /// <summary>
    /// First line of a script that must run outside a transaction (PostgreSQL's <c>CREATE INDEX CONCURRENTLY</c>,
    /// which builds an index without blocking writers). Its statements (each ending with <c>;</c> at the end of a line)
    /// run one by one, and must be idempotent (<c>IF NOT EXISTS</c>): a crash before the version record runs them again.
    /// </summary>
    public const string NoTransactionMarker = "-- herald:no-transaction";

    public bool RunsInTransaction => !Sql.TrimStart().StartsWith(NoTransactionMarker, StringComparison.Ordinal);
}

/// <summary>What a migration run did.</summary>
/// <param name="Applied">The versions this run applied, in order.</param>
/// <param name="CurrentVersion">The highest version recorded in the database afterwards.</param>
/// <param name="UnknownVersions">Versions recorded by a newer release that this one does not know (a rolling upgrade in progress).</param>
internal sealed record SchemaMigrationResult(IReadOnlyList<int> Applied, int CurrentVersion, IReadOnlyList<int> UnknownVersions);

/// <summary>
/// Brings a database schema up to date from numbered SQL scripts, one small runner for every Herald store (the
/// server's SQLite and PostgreSQL stores and the receiver's inbox).
/// </summary>
/// <remarks>
/// <para>
/// Every node runs it at start. When the schema is current (the common case, including a node joining a running
/// cluster) it only reads the version table: it takes no table lock, so it can neither block nor deadlock nodes
/// that are delivering. Each pending script runs in its own short transaction together with its version record.
/// </para>
/// <para>
/// On PostgreSQL, migrators serialize on a session advisory lock (other work is not affected by it), and each
/// script runs with a <c>lock_timeout</c>: rather than queueing behind a long transaction while every later writer
/// queues behind it, the script gives up, rolls back and tries again after a back-off. A deadlock is retried the
/// same way. On SQLite, each script takes the write lock (<c>BEGIN IMMEDIATE</c>) and re-checks its version inside.
/// </para>
/// </remarks>
internal sealed partial class SchemaMigrator
{
    private readonly SchemaDialect _dialect;
    private readonly string _versionTable;
    private readonly long _lockKey;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a migrator.</summary>
    /// <param name="dialect">The database.</param>
    /// <param name="versionTable">The table that records applied versions, e.g. <c>schema_migrations</c>.</param>
    /// <param name="lockKey">PostgreSQL advisory lock key; distinct per schema that shares a database.</param>
    /// <param name="timeProvider">The clock for version records and back-off.</param>
    public SchemaMigrator(SchemaDialect dialect, string versionTable, long lockKey, TimeProvider timeProvider)
    {
        if (!TableNamePattern().IsMatch(versionTable))
        {
            throw new ArgumentException("The version table name must be a plain lowercase SQL identifier.", nameof(versionTable));
        }

        _dialect = dialect;
        _versionTable = versionTable;
        _lockKey = lockKey;
        _timeProvider = timeProvider;
    }

    /// <summary>How long one PostgreSQL script waits for a table lock before it backs off and retries. Default 3 s.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a run keeps retrying scripts that meet lock timeouts or deadlocks before it fails. Default 10 minutes.</summary>
    public TimeSpan MaxRetryTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Loads the scripts embedded in <paramref name="assembly"/> whose resource names start with
    /// <paramref name="prefix"/> and end in <c>NNNN_name.sql</c>, ordered by number.
    /// </summary>
    public static IReadOnlyList<SchemaMigration> FromEmbeddedResources(Assembly assembly, string prefix)
    {
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = ScriptNamePattern().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new SchemaMigration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations under '{prefix}' must be numbered 1, 2, 3… without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    /// <summary>Applies every script of <paramref name="migrations"/> not yet recorded, in order.</summary>
    /// <param name="connection">An open connection, used only by this run.</param>
    /// <param name="migrations">All scripts, numbered from 1.</param>
    /// <param name="cancellationToken">Cancels the run between statements.</param>
    public async Task<SchemaMigrationResult> MigrateAsync(DbConnection connection, IReadOnlyList<SchemaMigration> migrations, CancellationToken cancellationToken)
    {
        var locked = false;
        try
        {
            if (_dialect == SchemaDialect.Postgres)
            {
                await LockAsync(connection, cancellationToken).ConfigureAwait(false);
                locked = true;
            }

            if (!await VersionTableExistsAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                await ExecuteAsync(
                    connection,
                    null,
                    $"CREATE TABLE IF NOT EXISTS {_versionTable} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    cancellationToken).ConfigureAwait(false);
            }

            var recorded = await ReadVersionsAsync(connection, null, cancellationToken).ConfigureAwait(false);
            var applied = new List<int>();
            foreach (var migration in migrations.Where(m => !recorded.Contains(m.Version)))
            {
                if (await ApplyWithRetryAsync(connection, migration, cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(migration.Version);
                }

                recorded.Add(migration.Version);
            }

            var known = migrations.Select(m => m.Version).ToHashSet();
            var unknown = recorded.Where(v => !known.Contains(v)).Order().ToList();
            return new SchemaMigrationResult(applied, recorded.Count == 0 ? 0 : recorded.Max(), unknown);
        }
        finally
        {
            if (locked)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({_lockKey.ToString(CultureInfo.InvariantCulture)})", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Takes the migration lock by polling <c>pg_try_advisory_lock</c>, never by waiting in <c>pg_advisory_lock</c>: a
    /// session blocked there sits in an open transaction, and <c>CREATE INDEX CONCURRENTLY</c> on the session holding the
    /// lock waits for every open transaction to finish — a deadlock between two starting nodes.
    /// </summary>
    private async Task LockAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT pg_try_advisory_lock({_lockKey.ToString(CultureInfo.InvariantCulture)})";
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    return;
                }
            }

            await Task.Delay(pause, _timeProvider, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>Applies one script; false when another process recorded it first.</summary>
    private async Task<bool> ApplyWithRetryAsync(DbConnection connection, SchemaMigration migration, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var backOff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return migration.RunsInTransaction
                    ? await ApplyInTransactionAsync(connection, migration, cancellationToken).ConfigureAwait(false)
                    : await ApplyWithoutTransactionAsync(connection, migration, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (IsLockContention(exception) && _timeProvider.GetElapsedTime(started) < MaxRetryTime)
            {
                await Task.Delay(backOff, _timeProvider, cancellationToken).ConfigureAwait(false);
                backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task<bool> ApplyInTransactionAsync(DbConnection connection, SchemaMigration migration, CancellationToken cancellationToken)
    {
        // SQLite: BEGIN IMMEDIATE takes the write lock now, so the re-check below cannot race another process.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            if ((await ReadVersionsAsync(connection, transaction, cancellationToken).ConfigureAwait(false)).Contains(migration.Version))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            if (_dialect == SchemaDialect.Postgres)
            {
                var milliseconds = ((long)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
                await ExecuteAsync(connection, transaction, $"SET LOCAL lock_timeout = {milliseconds}", cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await RecordAsync(connection, transaction, migration, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private async Task<bool> ApplyWithoutTransactionAsync(DbConnection connection, SchemaMigration migration, CancellationToken cancellationToken)
    {
        if ((await ReadVersionsAsync(connection, null, cancellationToken).ConfigureAwait(false)).Contains(migration.Version))
        {
            return false;
        }

        foreach (var statement in Statements(migration.Sql))
        {
            await ExecuteAsync(connection, null, statement, cancellationToken).ConfigureAwait(false);
        }

        await RecordAsync(connection, null, migration, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The statements of a script: split after each line that ends with <c>;</c>, comment-only parts dropped.</summary>
    private static IEnumerable<string> Statements(string sql)
    {
        var statement = new System.Text.StringBuilder();
        foreach (var line in sql.Split('\n'))
        {
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            statement.AppendLine(line);
            if (line.TrimEnd().EndsWith(';'))
            {
                yield return statement.ToString();
                statement.Clear();
            }
        }

        if (statement.ToString().Trim().Length > 0)
        {
            yield return statement.ToString();
        }
    }

    private bool IsLockContention(DbException exception) =>
        _dialect == SchemaDialect.Postgres && exception.SqlState is "55P03" or "40P01" or "40001";

    private async Task<bool> VersionTableExistsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _dialect == SchemaDialect.Postgres
            ? $"SELECT to_regclass('{_versionTable}') IS NOT NULL"
            : $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{_versionTable}'";
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is true || (result is long count && count > 0);
    }

    private async Task<HashSet<int>> ReadVersionsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT version FROM {_versionTable}";
        var versions = new HashSet<int>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
            }
        }

        return versions;
    }

    private async Task RecordAsync(DbConnection connection, DbTransaction? transaction, SchemaMigration migration, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {_versionTable} (version, name, applied_at) VALUES (@version, @name, @appliedAt)";
        AddParameter(command, "version", migration.Version);
        AddParameter(command, "name", migration.Name);
        AddParameter(command, "appliedAt", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex TableNamePattern();

    [GeneratedRegex(@"^(\d{4})_([A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ScriptNamePattern();
}
