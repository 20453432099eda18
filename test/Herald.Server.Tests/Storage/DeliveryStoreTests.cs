using System.Security.Cryptography;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;
using Herald.Server.Storage.Sqlite;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Storage;

/// <summary>The delivery store's claims and outcomes on the suite's database, without a dispatcher in the way.</summary>
public sealed class DeliveryStoreTests : IAsyncLifetime
{
    private const long Start = 1_747_749_260_000;
    private readonly string _dataPath = Directory.CreateTempSubdirectory("herald-store-").FullName;
    private SqlDatabase _database = null!;
    private SqlDeliveryStore _deliveries = null!;
    private SqlEventStore _events = null!;

    public async ValueTask InitializeAsync()
    {
        _database = HeraldTestServer.UsePostgres
            ? PostgresDatabase.Create(await PostgresServer.CreateDatabaseAsync("herald_store"))
            : SqliteDatabase.ForDataFolder(_dataPath, "NORMAL");
        await _database.MigrateAsync(TimeProvider.System, CancellationToken.None);
        var noMasterKey = new SecretProtector(Microsoft.Extensions.Options.Options.Create(new SecretsOptions()));
        _deliveries = new SqlDeliveryStore(_database, noMasterKey);
        _events = new SqlEventStore(_database);
        await new SqlWebhookStore(_database, noMasterKey).CreateAsync(new Webhook
        {
            Id = "wh_1", AccountId = "acct_1", Url = "https://example.com/hook", Events = ["refund.received"], Status = WebhookStatus.Enabled,
        }, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataPath, recursive: true);
    }

    private static PendingEvent Event(string id, DeliveryLease? lease = null) => new(
        new StoredEvent { Id = id, Name = "refund.received", AccountId = "acct_1", CreatedAt = Start, ContentHash = SHA256.HashData([.. id.Select(c => (byte)c)]), Body = [(byte)'{', (byte)'}'], IngestedAt = Start },
        [new NewDelivery($"dlv_{id}", id, "refund.received", "wh_1", "acct_1", null, "acct_1") { Lease = lease }]);

    private Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string node, long token, long now) =>
        _deliveries.ClaimDueAsync(new ClaimRequest(node, token, now, now + 60_000, 100, 100, []), CancellationToken.None);

    private static DeliveryOutcome Success(ClaimedDelivery delivery, long at) => new(
        delivery.DeliveryId, delivery.WebhookId, delivery.LeaseToken, DeliveryStatus.Success, null,
        new DeliveryAttempt { DeliveryId = delivery.DeliveryId, Number = delivery.AttemptCount + 1, StartedAt = at, DurationMs = 3, StatusCode = 200 }, EndpointHealth.Healthy);

    private async Task<Herald.Core.Deliveries.Delivery> ReadAsync(string id) => (await _deliveries.GetWithAttemptsAsync(id, OwnerScope.Everything, CancellationToken.None))!.Value.Delivery;

    [Fact]
    public async Task An_outcome_is_applied_only_while_its_claim_still_holds_the_lease_but_its_attempt_is_always_kept()
    {
        await _events.StoreAsync([Event("evt_1")], Start, CancellationToken.None);
        var first = Assert.Single(await ClaimAsync("node-a", 1, Start));

        // Node A's lease runs out; node B claims the delivery and sends it too.
        var second = Assert.Single(await ClaimAsync("node-b", 2, Start + 61_000));
        await _deliveries.RecordOutcomesAsync([Success(first, Start + 1000)], Start + 62_000, CancellationToken.None);
        var afterStale = await ReadAsync("dlv_evt_1");
        await _deliveries.RecordOutcomesAsync([Success(second, Start + 61_500)], Start + 62_000, CancellationToken.None);
        var afterCurrent = await _deliveries.GetWithAttemptsAsync("dlv_evt_1", OwnerScope.Everything, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Queued, afterStale.Status); // A's late outcome did not overwrite B's claim
        Assert.Equal(DeliveryStatus.Success, afterCurrent!.Value.Delivery.Status);
        Assert.Equal(2, afterCurrent.Value.Attempts.Count); // both POSTs happened and both are in the log
    }

    [Fact]
    public async Task A_delivery_written_leased_by_ingest_is_not_claimed_until_its_lease_runs_out()
    {
        await _events.StoreAsync([Event("evt_handed", new DeliveryLease("node-a", 7, Start + 60_000))], Start, CancellationToken.None);

        var whileLeased = await ClaimAsync("node-b", 2, Start + 1000);
        var afterExpiry = await ClaimAsync("node-b", 3, Start + 60_000);

        Assert.Empty(whileLeased);
        Assert.Equal(3, Assert.Single(afterExpiry).LeaseToken);
    }

    [Fact]
    public async Task A_node_whose_clock_runs_ahead_by_less_than_lease_minus_timeout_does_not_take_a_lease_in_force()
    {
        // Leases come from each node's clock (docs/server.md, "Many nodes"): with a 60 s lease and a 15 s timeout a node
        // may run up to 45 s ahead before it could take a delivery whose attempt is still within its timeout.
        await _events.StoreAsync([Event("evt_skew")], Start, CancellationToken.None);
        Assert.Single(await ClaimAsync("node-a", 1, Start));

        var aheadWithinBound = await ClaimAsync("node-b", 2, Start + 44_000);
        var afterTheLease = await ClaimAsync("node-b", 3, Start + 60_000);

        Assert.Empty(aheadWithinBound);
        Assert.Single(afterTheLease);
    }

    [Fact]
    public async Task A_release_gives_a_delivery_back_at_once_or_at_an_open_circuits_probe_time()
    {
        await _events.StoreAsync([Event("evt_a"), Event("evt_b")], Start, CancellationToken.None);
        var claimed = await ClaimAsync("node-a", 1, Start);

        await _deliveries.ReleaseAsync([claimed[0]], "node-a", null, CancellationToken.None);
        await _deliveries.ReleaseAsync([claimed[1]], "node-a", Start + 30_000, CancellationToken.None);
        var now = await ClaimAsync("node-b", 2, Start + 1);
        var later = await ClaimAsync("node-b", 3, Start + 30_000);

        Assert.Equal(claimed[0].DeliveryId, Assert.Single(now).DeliveryId);
        Assert.Equal(claimed[1].DeliveryId, Assert.Single(later).DeliveryId);
    }

    [Fact]
    public async Task Concurrent_stores_share_commits_and_each_gets_its_own_answer()
    {
        var duplicate = Event("evt_same");
        var conflicting = Event("evt_same") with { Event = duplicate.Event with { ContentHash = [1, 2, 3] } };
        var requests = Enumerable.Range(0, 40).Select(i => (IReadOnlyList<PendingEvent>)[Event($"evt_{i}")])
            .Append([duplicate]).Append([duplicate]).Append([conflicting]).Append([Event("evt_batch_ok"), conflicting])
            .ToList();

        var results = await Task.WhenAll(requests.Select(r => _events.StoreAsync(r, Start, CancellationToken.None)));

        Assert.All(results.Take(40), r => Assert.True(Assert.Single(r.Results).Created));
        var sameId = results.Skip(40).Take(3).ToList();
        Assert.Equal(1, sameId.Count(r => r.ConflictIndex is null && r.Results[0].Created));
        Assert.Equal(1, sameId.Count(r => r.ConflictIndex is null && !r.Results[0].Created));
        Assert.Single(sameId, r => r.ConflictIndex == 0);
        Assert.Equal(1, results[^1].ConflictIndex); // a batch with a conflict is refused whole…
        Assert.Equal(41, (await _events.ListAsync(OwnerScope.Everything, new EventFilter(), new Herald.Core.Page(0, 1000), CancellationToken.None)).Items.Count); // …so evt_batch_ok is not stored
    }
}
