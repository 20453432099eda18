using System.Data.Common;
using Herald.Internal;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;
using Herald.Server.Storage.Sqlite;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Storage;

/// <summary>The schema is versioned: a database of an earlier release upgrades in place, and starting a node never blocks the running ones.</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("herald-migrate-").FullName;
    private string? _postgres;

    public async ValueTask InitializeAsync()
    {
        if (HeraldTestServer.UsePostgres)
        {
            _postgres = await PostgresServer.CreateDatabaseAsync("herald_migrate");
        }
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataPath, recursive: true);
        return ValueTask.CompletedTask;
    }

    private SqlDatabase OpenDatabase() => _postgres is { } connectionString
        ? PostgresDatabase.Create(connectionString)
        : SqliteDatabase.ForDataFolder(_dataPath, "NORMAL");

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A database as Herald 0.1.0 left it: its schema (verbatim) and a few rows of everything.</summary>
    private async Task CreateReleaseDatabaseAsync(SqlDatabase database)
    {
        var dialect = database.Dialect == SchemaDialect.Postgres ? "postgres" : "sqlite";
        var schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "schema", $"server-0.1.0.{dialect}.sql"));
        var boolean = database.Dialect == SchemaDialect.Postgres ? "false" : "0";
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await ExecuteAsync(connection, schema);
        await ExecuteAsync(connection, $"""
            INSERT INTO accounts (id, name, org_id, created_at) VALUES ('acct_old', 'Old shop', NULL, 1747749260000);
            INSERT INTO webhooks (id, account_id, app_id, url, event_list, all_events, secret, status, created_at, updated_at)
              VALUES ('wh_old', 'acct_old', NULL, 'https://example.com/hook', 'refund.received', {boolean}, 'whsec_old_secret', 'ENABLED', 1747749260000, 1747749260000);
            INSERT INTO events (id, name, account_id, created_at, version, content_hash, body, ingested_at)
              VALUES ('evt_old', 'refund.received', 'acct_old', 1747749260000, '2026-02-27', {Hex(database, "00")}, {Hex(database, Convert.ToHexString("{\"id\":\"evt_old\"}"u8))}, 1747749260000);
            INSERT INTO deliveries (id, event_id, event_name, webhook_id, account_id, event_account_id, status, attempt_count, round_attempts, retriggered, last_status_code, created_at, updated_at)
              VALUES ('dlv_old', 'evt_old', 'refund.received', 'wh_old', 'acct_old', 'acct_old', 'success', 1, 1, {boolean}, 200, 1747749260000, 1747749261000);
            INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code) VALUES ('dlv_old', 1, 1747749260500, 42, 200);
            """);
    }

    private static string Hex(SqlDatabase database, string hex) =>
        database.Dialect == SchemaDialect.Postgres ? $"'\\x{hex}'::bytea" : $"X'{hex}'";

    [Fact]
    public async Task A_database_of_release_0_1_0_with_data_upgrades_in_place_and_keeps_every_row()
    {
        await using var database = OpenDatabase();
        await CreateReleaseDatabaseAsync(database);

        var result = await database.MigrateAsync(TimeProvider.System, CancellationToken.None);

        var known = SchemaMigrator.FromEmbeddedResources(typeof(SqlDatabase).Assembly, $"Herald.Server.Storage.Migrations.{database.Dialect}.");
        Assert.Equal(known.Select(m => m.Version), result.Applied);
        Assert.Equal(known[^1].Version, result.CurrentVersion);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(known.Count, await CountAsync(connection, "SELECT COUNT(*) FROM schema_migrations"));
        foreach (var table in new[] { "accounts", "webhooks", "events", "deliveries", "attempts" })
        {
            Assert.Equal(1, await CountAsync(connection, $"SELECT COUNT(*) FROM {table}"));
        }

        // The upgraded database serves the old rows through the API.
        var settings = _postgres is null ? null : new Dictionary<string, string?> { ["Herald:Storage:ConnectionString"] = _postgres };
        await using var server = await HeraldTestServer.StartAsync(settings, dataPath: _dataPath, deleteDataOnDispose: false);
        var delivery = await server.GetAsync("/api/v1/deliveries/dlv_old");
        Assert.Equal("success", delivery["status"]!.GetValue<string>());
        Assert.Equal(42, delivery["attempts"]![0]!["duration_ms"]!.GetValue<long>());
        Assert.Equal("https://example.com/hook", (await server.GetAsync("/api/v1/webhooks/wh_old"))["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_current_schema_is_left_alone_and_several_nodes_starting_together_apply_each_migration_once()
    {
        await using var database = OpenDatabase();
        var nodes = Enumerable.Range(0, 3).Select(_ => OpenDatabase()).ToList();

        var results = await Task.WhenAll(nodes.Select(node => node.MigrateAsync(TimeProvider.System, CancellationToken.None)));
        var again = await database.MigrateAsync(TimeProvider.System, CancellationToken.None);

        var known = SchemaMigrator.FromEmbeddedResources(typeof(SqlDatabase).Assembly, $"Herald.Server.Storage.Migrations.{database.Dialect}.");
        Assert.Equal(known.Select(m => m.Version), results.SelectMany(r => r.Applied).Order());
        Assert.Empty(again.Applied);
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_starting_while_another_holds_row_locks_does_not_wait_for_them()
    {
        await using var running = OpenDatabase();
        await running.MigrateAsync(TimeProvider.System, CancellationToken.None);
        await using var connection = await running.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var write = connection.CreateCommand())
        {
            // A delivering node mid-transaction: it holds the write lock (SQLite) or row and table locks (PostgreSQL).
            write.Transaction = transaction;
            write.CommandText = "INSERT INTO accounts (id, name, org_id, created_at) VALUES ('acct_busy', 'Busy', NULL, 0)";
            await write.ExecuteNonQueryAsync();
        }

        await using var joining = OpenDatabase();
        var result = await joining.MigrateAsync(TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(result.Applied);
        await transaction.RollbackAsync();
    }
}
