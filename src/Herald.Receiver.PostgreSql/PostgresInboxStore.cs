using System.Data.Common;
using Herald.Internal;
using Herald.Receiver.Inbox;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Herald.Receiver.PostgreSql;

/// <summary>The inbox in PostgreSQL; several receiver instances share it and claim with <c>FOR UPDATE SKIP LOCKED</c>.</summary>
internal sealed class PostgresInboxStore : SqlInboxStore
{
    private static readonly Lazy<IReadOnlyList<SchemaMigration>> Scripts =
        new(() => SchemaMigrator.FromEmbeddedResources(typeof(PostgresInboxStore).Assembly, "Herald.Receiver.PostgreSql.Migrations."));

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>Creates the store over a data source; disposes it with the store only when <paramref name="ownsDataSource"/>.</summary>
    public PostgresInboxStore(NpgsqlDataSource dataSource, bool ownsDataSource, TimeProvider timeProvider, ILogger? logger = null)
        : base(timeProvider, logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    /// <summary>Creates the store over its own data source for <paramref name="connectionString"/>.</summary>
    public PostgresInboxStore(string connectionString, TimeProvider timeProvider, ILogger? logger = null)
        : this(NpgsqlDataSource.Create(connectionString), ownsDataSource: true, timeProvider, logger)
    {
    }

    protected override SchemaDialect Dialect => SchemaDialect.Postgres;

    protected override IReadOnlyList<SchemaMigration> Migrations => Scripts.Value;

    protected override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    // PostgreSQL flushes the WAL once for all commits waiting at that moment, so several groups may commit at once
    // (each on its own connection), and each group is one batch: one round trip including its commit.
    public override int ConcurrentWriters => 8;

    public override Task CommitGroupAsync(DbConnection connection, IReadOnlyList<PendingInsert> group, bool[] inserted, CancellationToken cancellationToken) =>
        CommitGroupAsBatchAsync(connection, group, inserted, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
