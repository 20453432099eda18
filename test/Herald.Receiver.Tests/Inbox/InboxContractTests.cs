using Herald.Receiver.Inbox;
using Herald.Receiver.PostgreSql;
using Herald.Receiver.Sqlite;
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

    /// <summary>A second store on the same database with its own clock: another receiver process.</summary>
    private protected abstract SqlInboxStore CreateSecondStore(TimeProvider clock);

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
    public async Task Only_the_current_claim_can_complete_an_event_even_when_the_same_worker_made_both()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        var first = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        Clock.Advance(Lease);
        var second = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));

        Assert.NotEqual(first.LeaseToken, second.LeaseToken);
        Assert.False(await CompleteAsync("evt_1", first.LeaseToken));
        Assert.False(await Store.FailAsync("evt_1", first.LeaseToken, "late", park: true, TimeSpan.Zero, default));
        Assert.False(await Store.RenewAsync("evt_1", first.LeaseToken, Lease, default));
        Assert.True(await CompleteAsync("evt_1", second.LeaseToken));
        Assert.False(await CompleteAsync("evt_1", second.LeaseToken));
        Assert.Equal(InboxEntryState.Processed, (await Store.FindAsync("evt_1"))!.State);
        Clock.Advance(Lease * 2);
        Assert.Empty(await Store.ClaimAsync(10, "w3", Lease, default));
    }

    [Fact]
    public async Task A_claim_that_ran_out_cannot_complete_even_when_nobody_took_the_event()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        var claim = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        Clock.Advance(Lease);

        Assert.False(await Store.RenewAsync("evt_1", claim.LeaseToken, Lease, default));
        Assert.False(await CompleteAsync("evt_1", claim.LeaseToken));
        Assert.Equal(InboxEntryState.Pending, (await Store.FindAsync("evt_1"))!.State);
    }

    [Fact]
    public async Task Renewing_a_claim_keeps_other_workers_off_it_past_its_first_lease()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        var claim = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        for (var i = 0; i < 6; i++)
        {
            Clock.Advance(Lease / 3);
            Assert.True(await Store.RenewAsync("evt_1", claim.LeaseToken, Lease, default));
            Assert.Empty(await Store.ClaimAsync(10, "w2", Lease, default));
        }

        Assert.True(await CompleteAsync("evt_1", claim.LeaseToken));
    }

    [Fact]
    public async Task A_worker_whose_clock_runs_ahead_by_less_than_two_thirds_of_the_lease_never_takes_over_a_renewed_claim()
    {
        // Leases are stamped with each worker's own clock. The holder renews every third of the lease, so its claim
        // always reaches at least two thirds of a lease past its own now: a claimer ahead by less than that sees it held.
        var skew = Lease * 0.6;
        var ahead = new FakeTimeProvider(Clock.GetUtcNow() + skew);
        var other = CreateSecondStore(ahead);
        try
        {
            await Store.InsertAsync("evt_1", "customer.created", [1], default);
            var claim = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
            for (var i = 0; i < 6; i++)
            {
                // Just before the holder's next renewal: the worst moment for it.
                Clock.Advance((Lease / 3) - TimeSpan.FromMilliseconds(1));
                ahead.Advance((Lease / 3) - TimeSpan.FromMilliseconds(1));
                Assert.Empty(await other.ClaimAsync(10, "w2", Lease, default));
                Clock.Advance(TimeSpan.FromMilliseconds(1));
                ahead.Advance(TimeSpan.FromMilliseconds(1));
                Assert.True(await Store.RenewAsync("evt_1", claim.LeaseToken, Lease, default));
            }

            // Once the holder stops renewing (it died), the skewed worker takes over, earlier by its skew.
            Clock.Advance(Lease - skew);
            ahead.Advance(Lease - skew);
            Assert.Equal("evt_1", Assert.Single(await other.ClaimAsync(10, "w2", Lease, default)).EventId);
            Assert.False(await CompleteAsync("evt_1", claim.LeaseToken));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_failure_makes_the_event_due_after_the_delay_and_parking_takes_it_out()
    {
        await Store.InsertAsync("evt_1", "customer.created", [1], default);
        await Store.InsertAsync("evt_2", "customer.created", [2], default);
        var token = (await Store.ClaimAsync(10, "w1", Lease, default))[0].LeaseToken;

        Assert.True(await Store.FailAsync("evt_1", token, "boom", park: false, TimeSpan.FromSeconds(5), default));
        Assert.True(await Store.FailAsync("evt_2", token, "poison", park: true, TimeSpan.Zero, default));

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
        var claim = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));

        await Store.ReleaseAsync("evt_1", claim.LeaseToken, default);

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
    public async Task Inserts_waiting_behind_a_commit_share_the_next_one_and_a_repeated_id_in_one_group_is_a_duplicate()
    {
        Task<bool>[] results;
        var blocker = await HoldInboxWritesAsync();
        try
        {
            // While another transaction holds the writes, every insert queues behind the first group.
            results = [.. Enumerable.Range(0, 200).Select(i => Store.InsertAsync($"evt_{i / 2:D3}", "customer.created", [(byte)i], default))];
        }
        finally
        {
            await blocker.DisposeAsync();
        }

        var inserted = await Task.WhenAll(results);

        Assert.All(Enumerable.Range(0, 100), pair => Assert.Equal((true, false), (inserted[2 * pair], inserted[(2 * pair) + 1])));
        Assert.Equal(new InboxCounts(100, 0, 0), await Store.GetCountsAsync());
        Assert.Equal(200, Store.Writer.RowsCommitted);
        Assert.InRange(Store.Writer.GroupsCommitted, 1, Store.ConcurrentWriters + 1);
        var claimed = await Store.ClaimAsync(200, "w1", Lease, default);
        Assert.All(claimed, c => Assert.Equal((byte)(2 * int.Parse(c.EventId[4..], System.Globalization.CultureInfo.InvariantCulture)), Assert.Single(c.Body)));
    }

    [Fact]
    public async Task An_insert_is_answered_only_after_its_transaction_committed()
    {
        var blocker = await HoldInboxWritesAsync();
        Task<bool> pending;
        Task<string?> visibleWhenAnswered;
        try
        {
            pending = Store.InsertAsync("evt_1", "customer.created", [1], default);

            // Whenever the answer comes, another connection must already see the row.
            visibleWhenAnswered = pending.ContinueWith(_ => FindWithoutWaitingAsync("evt_1"), TaskScheduler.Default).Unwrap();
            Assert.False(pending.IsCompleted);
        }
        finally
        {
            await blocker.DisposeAsync();
        }

        Assert.True(await pending);
        Assert.Equal("evt_1", await visibleWhenAnswered);
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
        var claim = Assert.Single(await Store.ClaimAsync(10, "w1", Lease, default));
        await using (var connection = await Store.OpenAsync(default))
        {
            await using var transaction = await Store.BeginProcessingTransactionAsync(connection, default);
            Assert.True(await Store.CompleteAsync(connection, transaction, "evt_1", claim.LeaseToken, default));
            await transaction.RollbackAsync();
        }

        Assert.Equal(InboxEntryState.Pending, (await Store.FindAsync("evt_1"))!.State);
    }

    /// <summary>Holds the inbox's write lock from another connection until disposed (SQLite: an immediate transaction; PostgreSQL: a table lock).</summary>
    private protected abstract Task<IAsyncDisposable> HoldInboxWritesAsync();

    /// <summary>Reads a row by id with a plain query that does not wait for the writer.</summary>
    private async Task<string?> FindWithoutWaitingAsync(string id)
    {
        await using var connection = await Store.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM herald_inbox WHERE event_id = @id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<bool> CompleteAsync(string id, string leaseToken)
    {
        await using var connection = await Store.OpenAsync(default);
        await using var transaction = await Store.BeginProcessingTransactionAsync(connection, default);
        var completed = await Store.CompleteAsync(connection, transaction, id, leaseToken, default);
        await transaction.CommitAsync();
        return completed;
    }
}

public sealed class SqliteInboxContractTests : InboxContractTests
{
    private string _database = null!;

    private protected override Task<SqlInboxStore> CreateStoreAsync()
    {
        _database = Support.ReceiverApp.NewSqliteDatabase();
        return Task.FromResult<SqlInboxStore>(new SqliteInboxStore(_database, SqliteInboxSynchronous.Full, Clock));
    }

    private protected override SqlInboxStore CreateSecondStore(TimeProvider clock) => new SqliteInboxStore(_database, SqliteInboxSynchronous.Full, clock);

    private protected override async Task<IAsyncDisposable> HoldInboxWritesAsync()
    {
        var connection = new SqliteConnection(_database);
        await connection.OpenAsync();
        var transaction = connection.BeginTransaction(deferred: false);
        return new Held(async () =>
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        });
    }

    [Fact]
    public async Task The_inbox_file_is_in_wal_mode()
    {
        var database = Support.ReceiverApp.NewSqliteDatabase();
        await using var store = new SqliteInboxStore(database, SqliteInboxSynchronous.Full, Clock);
        await store.EnsureInitializedAsync(default);
        await using var connection = await store.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }
}

public sealed class PostgresInboxContractTests : InboxContractTests
{
    private string _database = null!;

    private protected override async Task<SqlInboxStore> CreateStoreAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync("receiver");
        return new PostgresInboxStore(_database, Clock);
    }

    private protected override SqlInboxStore CreateSecondStore(TimeProvider clock) => new PostgresInboxStore(_database, clock);

    private protected override async Task<IAsyncDisposable> HoldInboxWritesAsync()
    {
        var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new Npgsql.NpgsqlCommand("LOCK TABLE herald_inbox IN EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new Held(async () =>
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        });
    }

    [Fact]
    public async Task A_row_that_fails_in_a_group_fails_alone_and_the_others_are_stored()
    {
        // PostgreSQL text cannot hold NUL: this row fails its statement, which aborts the group's transaction.
        // (The endpoint refuses such names with 400 before they get here; this only exercises the fallback.)
        var store = await CreateStoreAsync();
        await store.EnsureInitializedAsync(default);
        Task<bool>[] results;
        var blocker = await HoldInboxWritesAsync();
        try
        {
            results = [.. Enumerable.Range(0, 20).Select(i => store.InsertAsync($"evt_{i:D2}", i == 7 ? "bad\0name" : "customer.created", [1], default))];
        }
        finally
        {
            await blocker.DisposeAsync();
        }

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => results[7]);
        Assert.IsAssignableFrom<System.Data.Common.DbException>(failed);
        Assert.All(await Task.WhenAll(results.Where((_, i) => i != 7)), Assert.True);
        Assert.Equal(new InboxCounts(19, 0, 0), await store.GetCountsAsync());
        await store.DisposeAsync();
    }
}

internal sealed class Held(Func<Task> release) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await release();
}
