using System.Data.Common;
using Herald.Receiver.Inbox;
using Herald.Receiver.Partners;
using Herald.Receiver.PostgreSql;
using Herald.Receiver.Sqlite;
using Herald.Receiver.Tests.Support;
using Herald.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Herald.Receiver.Tests.Inbox;

/// <summary>
/// An inbox created by Herald.Receiver 0.1.0 (its <c>CREATE TABLE IF NOT EXISTS</c> schema, copied verbatim into
/// <c>Fixtures/</c>), holding events in every state, is upgraded in place by the versioned migrations.
/// </summary>
public sealed class InboxMigrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);
    private static readonly long Now = Start.ToUnixTimeMilliseconds();

    public static TheoryData<TestInbox> Inboxes => [TestInbox.Sqlite, TestInbox.Postgres];

    [Theory]
    [MemberData(nameof(Inboxes))]
    public async Task An_inbox_created_by_the_first_release_is_upgraded_with_its_data_and_keeps_working(TestInbox inbox)
    {
        var database = await ReceiverApp.NewDatabaseAsync(inbox);
        await CreateFirstReleaseInboxAsync(inbox, database);
        var clock = new FakeTimeProvider(Start);

        await using var store = CreateStore(inbox, database, clock);
        await store.EnsureInitializedAsync(default);

        // Every version is recorded, and the columns of later versions exist.
        Assert.Equal([1, 2], await VersionsAsync(store));
        Assert.Contains(await ColumnsAsync(store, inbox), column => column.StartsWith("herald_inbox.lease_token ", StringComparison.Ordinal));

        // The data survived, each row in its state.
        Assert.Equal(new InboxCounts(2, 1, 1), await store.GetCountsAsync());
        var processed = (await store.FindAsync("evt_processed"))!;
        Assert.Equal((InboxEntryState.Processed, 1, Start.AddMinutes(-9)), (processed.State, processed.Attempts, processed.ProcessedAt));
        var parked = Assert.Single(await store.GetParkedAsync());
        Assert.Equal(("evt_parked", 10, "System.InvalidOperationException: boom"), (parked.EventId, parked.Attempts, parked.LastError));
        Assert.Equal(Start.AddMinutes(-20), await store.GetLastAppliedAtAsync("int_1"));
        Assert.Equal(PartnerConnectionStatus.Disconnected, await new PartnerConnectionStore(store).GetStatusAsync("acct_gone"));

        // The due event is claimed with a lease token; the event an old worker holds is left alone until its lease runs out.
        var claimed = Assert.Single(await store.ClaimAsync(10, "new", TimeSpan.FromMinutes(1), default));
        Assert.Equal(("evt_due", 1L, "{\"id\":\"evt_due\"}"), (claimed.EventId, claimed.Attempts, System.Text.Encoding.UTF8.GetString(claimed.Body)));
        Assert.True(await CompleteAsync(store, claimed));
        clock.Advance(TimeSpan.FromMinutes(5));
        var takenOver = Assert.Single(await store.ClaimAsync(10, "new", TimeSpan.FromMinutes(1), default));
        Assert.Equal(("evt_held_by_old_worker", 3L), (takenOver.EventId, takenOver.Attempts));
        Assert.True(await CompleteAsync(store, takenOver));
        Assert.Equal(new InboxCounts(0, 3, 1), await store.GetCountsAsync());
    }

    [Theory]
    [MemberData(nameof(Inboxes))]
    public async Task An_upgraded_inbox_has_the_same_tables_and_columns_as_a_new_one_and_a_second_start_applies_nothing(TestInbox inbox)
    {
        var upgradedDatabase = await ReceiverApp.NewDatabaseAsync(inbox);
        await CreateFirstReleaseInboxAsync(inbox, upgradedDatabase);
        var clock = new FakeTimeProvider(Start);
        await using var upgraded = CreateStore(inbox, upgradedDatabase, clock);
        await upgraded.EnsureInitializedAsync(default);
        await using var fresh = CreateStore(inbox, await ReceiverApp.NewDatabaseAsync(inbox), clock);
        await fresh.EnsureInitializedAsync(default);

        Assert.Equal(await ColumnsAsync(fresh, inbox), await ColumnsAsync(upgraded, inbox));

        clock.Advance(TimeSpan.FromHours(1));
        await using var restarted = CreateStore(inbox, upgradedDatabase, clock);
        await restarted.EnsureInitializedAsync(default);
        Assert.Equal([Now, Now], await AppliedAtAsync(restarted));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void The_first_migration_is_the_first_release_schema_exactly(string dialect)
    {
        var fixture = File.ReadAllLines(FixturePath(dialect == "sqlite" ? TestInbox.Sqlite : TestInbox.Postgres))
            .Where(line => !line.StartsWith("PRAGMA journal_mode", StringComparison.Ordinal));
        var assembly = dialect == "sqlite" ? typeof(SqliteInboxStore).Assembly : typeof(PostgresInboxStore).Assembly;
        var prefix = dialect == "sqlite" ? "Herald.Receiver.Sqlite.Migrations." : "Herald.Receiver.PostgreSql.Migrations.";

        var first = Herald.Internal.SchemaMigrator.FromEmbeddedResources(assembly, prefix)[0];

        Assert.Equal((1, "initial"), (first.Version, first.Name));
        Assert.Equal(string.Join('\n', fixture).Trim(), first.Sql.ReplaceLineEndings("\n").Trim());
    }

    private static SqlInboxStore CreateStore(TestInbox inbox, string database, TimeProvider clock) =>
        inbox == TestInbox.Postgres
            ? new PostgresInboxStore(database, clock)
            : new SqliteInboxStore(database, SqliteInboxSynchronous.Full, clock);

    private static string FixturePath(TestInbox inbox) =>
        Path.Combine(AppContext.BaseDirectory, "Inbox", "Fixtures", inbox == TestInbox.Postgres ? "inbox-0.1.0-postgres.sql" : "inbox-0.1.0-sqlite.sql");

    /// <summary>Creates the schema exactly as 0.1.0 did (SQLite: one batch; PostgreSQL: one transaction) and fills it as 0.1.0 would have.</summary>
    private static async Task CreateFirstReleaseInboxAsync(TestInbox inbox, string database)
    {
        await using DbConnection connection = inbox == TestInbox.Postgres ? new NpgsqlConnection(database) : new SqliteConnection(database);
        await connection.OpenAsync();
        await using (var transaction = inbox == TestInbox.Postgres ? await connection.BeginTransactionAsync() : null)
        {
            await ExecuteAsync(connection, transaction, await File.ReadAllTextAsync(FixturePath(inbox)));
            if (transaction is not null)
            {
                await transaction.CommitAsync();
            }
        }

        var minute = 60_000L;
        await ExecuteAsync(connection, null, $"""
            INSERT INTO herald_inbox (event_id, name, body, received_at, attempts, next_attempt_at, locked_by, locked_until, processed_at, parked_at, last_error) VALUES
              ('evt_due', 'customer.created', @body, {Now - (30 * minute)}, 0, {Now - (30 * minute)}, NULL, NULL, NULL, NULL, NULL),
              ('evt_held_by_old_worker', 'refund.failed', @body, {Now - (20 * minute)}, 2, {Now - (20 * minute)}, 'host:1:abc', {Now + (4 * minute)}, NULL, NULL, NULL),
              ('evt_processed', 'payment_intent.succeeded', @body, {Now - (10 * minute)}, 1, {Now - (10 * minute)}, NULL, NULL, {Now - (9 * minute)}, NULL, NULL),
              ('evt_parked', 'dispute.lost', @body, {Now - (40 * minute)}, 10, {Now - minute}, NULL, NULL, NULL, {Now - minute}, 'System.InvalidOperationException: boom');
            INSERT INTO herald_object_versions (object_id, last_created_at, event_id) VALUES ('int_1', {Now - (20 * minute)}, 'evt_processed');
            INSERT INTO herald_partner_connections (id, kind, app_id, connected, changed_at, reason, event_id) VALUES ('acct_gone', 'account', 'app_1', 0, {Now - minute}, 'user_initiated', 'evt_x');
            """);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (sql.Contains("@body", StringComparison.Ordinal))
        {
            var body = command.CreateParameter();
            body.ParameterName = "body";
            body.Value = "{\"id\":\"evt_due\"}"u8.ToArray();
            command.Parameters.Add(body);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> CompleteAsync(SqlInboxStore store, ClaimedEvent claimed)
    {
        await using var connection = await store.OpenAsync(default);
        await using var transaction = await store.BeginProcessingTransactionAsync(connection, default);
        var completed = await store.CompleteAsync(connection, transaction, claimed.EventId, claimed.LeaseToken, default);
        await transaction.CommitAsync();
        return completed;
    }

    private static async Task<List<long>> VersionsAsync(SqlInboxStore store) =>
        [.. (await QueryAsync(store, $"SELECT version FROM {SqlInboxStore.VersionTable} ORDER BY version")).Select(Convert.ToInt64)];

    private static async Task<List<long>> AppliedAtAsync(SqlInboxStore store) =>
        [.. (await QueryAsync(store, $"SELECT applied_at FROM {SqlInboxStore.VersionTable} ORDER BY version")).Select(Convert.ToInt64)];

    /// <summary>Every inbox table's columns with their types, nullability and defaults, as "table.column type null default".</summary>
    private static async Task<List<string>> ColumnsAsync(SqlInboxStore store, TestInbox inbox)
    {
        var sql = inbox == TestInbox.Postgres
            ? """
              SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public' AND table_name LIKE 'herald%' ORDER BY table_name, column_name
              """
            : """
              SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p."notnull" || ' ' || COALESCE(p.dflt_value, '')
              FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name LIKE 'herald%' ORDER BY m.name, p.name
              """;
        return [.. (await QueryAsync(store, sql)).Select(value => (string)value)];
    }

    private static async Task<List<object>> QueryAsync(SqlInboxStore store, string sql)
    {
        await using var connection = await store.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<object>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetValue(0));
        }

        return values;
    }
}
