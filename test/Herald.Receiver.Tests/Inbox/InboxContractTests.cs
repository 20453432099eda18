using Herald.Receiver.Inbox;
using Herald.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Inbox;

/// <summary>The same contract, run against SQLite and the real PostgreSQL.</summary>
public abstract class InboxContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero));

    private SqlInboxStore Store { get; set; } = null!;

    private protected abstract Task<SqlInboxStore> CreateStoreAsync();

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.EnsureInitializedAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task An_event_id_is_stored_once_and_a_duplicate_is_reported()
    {
        Assert.True(await Store.InsertAsync("evt_1", "customer.created", [1, 2, 3], default));
        Assert.False(await Store.InsertAsync("evt_1", "customer.created", [9], default));

        var claimed = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        Assert.Equal([1, 2, 3], claimed.Body);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal(new InboxCounts(1, 0, 0), await Store.GetCountsAsync());
    }

    [Fact]
    public async Task A_claimed_event_is_not_claimed_again_until_its_lease_expires()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);

        Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        Assert.Empty(await Store.ClaimAsync(10, "w2", Lease, default));
        Clock.Advance(Lease);
        var reclaimed = Assert.Single(await Store.ClaimAsync(10, "w2", Lease, default));

        Assert.Equal(2, reclaimed.Attempts);
    }

    [Fact]
    public async Task Only_the_current_owner_can_complete_an_event()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        await Store.ClaimAsync(10, "w1", Lease, default);
        Clock.Advance(Lease);
        await Store.ClaimAsync(10, "w2", Lease, default);

        Assert.False(await CompleteAsync("evt_1", "w1"));
        Assert.True(await CompleteAsync("evt_1", "w2"));
        Assert.False(await CompleteAsync("evt_1", "w2"));
        Assert.Equal(InboxEntryState.Processed, (await Store.FindAsync("evt_1"))!.State);
        Clock.Advance(Lease * 2);
        Assert.Empty(await Store.ClaimAsync(10, "w3", Lease, default));
    }

    [Fact]
    public async Task A_failure_makes_the_event_due_after_the_delay_and_parking_takes_it_out()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        await Store.InsertAsync("evt_2", "customer.created", [2], default);
        await Store.ClaimAsync(10, "w1", Lease, default);

        await Store.FailAsync("evt_1", "w1", "boom", park: false, TimeSpan.FromSeconds(5), default);
        await Store.FailAsync("evt_2", "w1", "poison", park: true, TimeSpan.Zero, default);

        Assert.Empty(await Store.ClaimAsync(10, "w2", Lease, default));
        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("evt_1", Assert.Single(await Store.ClaimAsync(10, "w2", Lease, default)).EventId);
        var parked = Assert.Single(await Store.GetParkedAsync());
        Assert.Equal(("evt_2", InboxEntryState.Parked, "poison"), (parked.EventId, parked.State, parked.LastError));

        Assert.True(await Store.RequeueAsync("evt_2"));
        var requeued = Assert.Single(await Store.ClaimAsync(10, "w3", Lease, default));
        Assert.Equal(("evt_2", 1L), (requeued.EventId, requeued.Attempts));
    }

    [Fact]
    public async Task Releasing_on_shutdown_gives_the_event_back_without_counting_the_try()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        await Store.ClaimAsync(10, "w1", Lease, default);

        await Store.ReleaseAsync("evt_1", "w1", default);

        Assert.Equal(1, Assert.Single(await Store.ClaimAsync(10, "w2", Lease, default)).Attempts);
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_event()
    {
        for (var i = 0; i < 60; i++)
        {
            await Store.InsertAsync($"evt_{i:D3}", "customer.created", [1], default);
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (true)
            {
                var claimed = await Store.ClaimAsync(4, $"w{worker}", Lease, default);
                if (claimed.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(claimed.Select(c => c.EventId));
            }
        })));

        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(60, all.Count);
        Assert.Equal(60, all.Distinct().Count());
    }

    [Fact]
    public async Task The_last_applied_time_per_object_only_moves_forward()
    {
        await using (var connection = await Store.OpenAsync(default))
        {
            await using var transaction = await Store.BeginProcessingTransactionAsync(connection, default);
            await SqlInboxStore.RecordAppliedAsync(connection, transaction, "int_1", 2_000, "evt_new", default);
            await SqlInboxStore.RecordAppliedAsync(connection, transaction, "int_1", 1_000, "evt_old", default);
            await transaction.CommitAsync();
        }

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(2_000), await Store.GetLastAppliedAtAsync("int_1"));
        Assert.Null(await Store.GetLastAppliedAtAsync("int_unknown"));
    }

    [Fact]
    public async Task A_rolled_back_completion_leaves_the_event_pending()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        await Store.ClaimAsync(10, "w1", Lease, default);
        await using (var connection = await Store.OpenAsync(default))
        {
            await using var transaction = await Store.BeginProcessingTransactionAsync(connection, default);
            Assert.True(await Store.CompleteAsync(connection, transaction, "evt_1", "w1", default));
            await transaction.RollbackAsync();
        }

        Assert.Equal(InboxEntryState.Pending, (await Store.FindAsync("evt_1"))!.State);
    }

    private async Task<bool> CompleteAsync(string id, string owner)
    {
        await using var connection = await Store.OpenAsync(default);
        await using var transaction = await Store.BeginProcessingTransactionAsync(connection, default);
        var completed = await Store.CompleteAsync(connection, transaction, id, owner, default);
        await transaction.CommitAsync();
        return completed;
    }
}

public sealed class SqliteInboxContractTests : InboxContractTests
{
    private protected override Task<SqlInboxStore> CreateStoreAsync() =>
        Task.FromResult<SqlInboxStore>(new SqliteInboxStore(Support.ReceiverApp.NewSqliteDatabase(), "FULL", Clock));

    [Fact]
    public async Task The_inbox_file_is_in_wal_mode()
    {
        var database = Support.ReceiverApp.NewSqliteDatabase();
        await using var store = new SqliteInboxStore(database, "FULL", Clock);
        await store.EnsureInitializedAsync(default);
        await using var connection = await store.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }
}

public sealed class PostgresInboxContractTests : InboxContractTests
{
    private protected override async Task<SqlInboxStore> CreateStoreAsync() =>
        new PostgresInboxStore(await PostgresServer.CreateDatabaseAsync("receiver"), Clock);
}
