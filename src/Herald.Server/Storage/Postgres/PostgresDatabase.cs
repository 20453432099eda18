using System.Data.Common;
using Herald.Internal;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// PostgreSQL for production and several nodes: due deliveries are claimed <c>FOR UPDATE SKIP LOCKED</c> so nodes
/// never lease the same row, and a crashed node's leases simply expire.
/// </summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource) : SqlDatabase
{
    public static PostgresDatabase Create(string connectionString) => new(NpgsqlDataSource.Create(connectionString));

    public override SchemaDialect Dialect => SchemaDialect.Postgres;

    public override string ClaimLockClause => "FOR UPDATE SKIP LOCKED";

    public override string In(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override string NotIn(string column, string parameter) => $"{column} <> ALL(@{parameter})";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    public override ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
