using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Contracts.Signing;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Npgsql;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// Several Herald processes on one PostgreSQL, under faults: nodes starting together and joining mid-run, one killed
/// with -9, the database restarted and away for 30 s, outcome writes stalled behind a lock. Every accepted event is
/// delivered with a valid signature, re-sends stay within the bound a dead node's in-flight attempts set, and the
/// surviving nodes are alive and ready afterwards.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private const string Secret = "whsec_multi_node_secret_0123456789";
    private const int MaxConcurrency = 8;

    private readonly List<HeraldProcess> _nodes = [];
    private readonly List<string> _dataPaths = [];
    private readonly ConcurrentDictionary<string, bool> _accepted = new(StringComparer.Ordinal);
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = _ => new ReceiverResponse(200, Delay: TimeSpan.FromMilliseconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        foreach (var path in _dataPaths)
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static Dictionary<string, string> Settings(string database) => new()
    {
        ["Herald__Storage__Provider"] = "postgres",
        ["Herald__Storage__ConnectionString"] = database + ";Timeout=5;Command Timeout=15",
        ["Herald__Delivery__Timeout"] = "00:00:02",
        ["Herald__Delivery__LeaseDuration"] = "00:00:04",
        ["Herald__Delivery__PollInterval"] = "00:00:00.200",
        ["Herald__Delivery__InitialConcurrencyPerEndpoint"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Herald__Delivery__MaxConcurrencyPerEndpoint"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private async Task<HeraldProcess> StartNodeAsync(string database)
    {
        var dataPath = Directory.CreateTempSubdirectory("herald-node-").FullName;
        _dataPaths.Add(dataPath);
        var node = await HeraldProcess.StartAsync(dataPath, HeraldProcess.FreePort(), Settings(database));
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    private static async Task<JsonObject> PostAsync(HeraldProcess node, string path, JsonNode body)
    {
        using var response = await node.Client.PostAsync(path, HeraldTestServer.Json(body));
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Publishes like a producer that retries until accepted: on the next live node, the same id (idempotent).</summary>
    private async Task PublishAsync(Func<IReadOnlyList<HeraldProcess>> live, string account, string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var nodes = live();
            var node = nodes[attempt % nodes.Count];
            try
            {
                using var response = await node.Client.PostAsync("/api/v1/events/create", HeraldTestServer.Json(new JsonObject
                {
                    ["id"] = id, ["name"] = "payment_intent.succeeded", ["account_id"] = account,
                    ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "int_" + id } },
                }), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    _accepted[id] = true;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The node or the database is away: try again, elsewhere.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private Dictionary<string, int> SendsPerEvent() =>
        _receiver.Requests.GroupBy(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()!).ToDictionary(g => g.Key, g => g.Count());

    private async Task WaitForAllAcceptedDeliveredAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!SendsPerEvent().Keys.ToHashSet().IsSupersetOf(_accepted.Keys))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{_accepted.Keys.Except(SendsPerEvent().Keys).Count()} accepted events were never delivered");
            await Task.Delay(100);
        }
    }

    private static async Task AssertReadyAsync(HeraldProcess node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var ready = await node.Client.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"node {node.Id} is not ready: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Three_nodes_deliver_every_accepted_event_through_a_killed_node_a_late_joiner_and_a_30_second_database_outage()
    {
        Assert.SkipWhen(!HeraldTestServer.UsePostgres, "several nodes share a PostgreSQL database (the PostgreSQL pass runs it)");
        await using var cluster = await PostgresCluster.StartAsync();
        var database = await cluster.CreateDatabaseAsync("herald_nodes");

        // Two nodes start together against an empty database (both migrate it).
        var starting = await Task.WhenAll(StartNodeAsync(database), StartNodeAsync(database));
        var (a, b) = (starting[0], starting[1]);
        var live = new List<HeraldProcess> { a, b };
        var account = (await PostAsync(a, "/api/v1/accounts/create", new JsonObject { ["name"] = "Acme" }))["id"]!.GetValue<string>();
        await PostAsync(a, "/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account, ["url"] = _receiver.Url(), ["events"] = new JsonArray("payment_intent.succeeded"), ["secret"] = Secret,
        });

        using var publishing = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var next = 0;
        async Task PublishUntilAsync(int count)
        {
            for (; next < count; next++)
            {
                await PublishAsync(() => { lock (live) { return [.. live]; } }, account, $"evt_{next}", publishing.Token);
            }
        }

        await PublishUntilAsync(100);
        var c = await StartNodeAsync(database); // joins while the others deliver
        lock (live)
        {
            live.Add(c);
        }

        await PublishUntilAsync(200);
        await _receiver.WaitUntilAsync(r => r.Count >= 150);
        lock (live)
        {
            live.Remove(b);
        }

        await b.KillAsync();
        await PublishUntilAsync(260);

        // The database goes away for 30 s (the behaviour under test, not a wait for something to happen) and comes back.
        await cluster.StopAsync();
        var publishingThroughOutage = PublishUntilAsync(320);
        await Task.Delay(TimeSpan.FromSeconds(30));
        await cluster.StartAgainAsync();
        await publishingThroughOutage;
        await PublishUntilAsync(400);

        await WaitForAllAcceptedDeliveredAsync();
        var sends = SendsPerEvent();
        var resent = sends.Values.Sum() - sends.Count;

        Assert.Equal(400, _accepted.Count);
        Assert.All(_receiver.Requests, r => Assert.True(WebhookSignature.IsValid(Secret, r.Header("x-timestamp")!, r.Body, r.Header("x-signature"))));
        Assert.InRange(resent, 0, MaxConcurrency); // at most the dead node's attempts in flight
        await AssertReadyAsync(a);
        await AssertReadyAsync(c);
    }

    [Fact]
    public async Task Outcome_writes_stalled_behind_a_lock_for_three_leases_lead_to_no_resends()
    {
        Assert.SkipWhen(!HeraldTestServer.UsePostgres, "several nodes share a PostgreSQL database (the PostgreSQL pass runs it)");
        var database = await PostgresServer.CreateDatabaseAsync("herald_stall");
        var nodes = await Task.WhenAll(StartNodeAsync(database), StartNodeAsync(database));
        var account = (await PostAsync(nodes[0], "/api/v1/accounts/create", new JsonObject { ["name"] = "Acme" }))["id"]!.GetValue<string>();
        await PostAsync(nodes[0], "/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account, ["url"] = _receiver.Url(), ["events"] = new JsonArray("payment_intent.succeeded"), ["secret"] = Secret,
        });
        using var publishing = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        for (var i = 0; i < 100; i++)
        {
            await PublishAsync(() => nodes, account, $"evt_before_{i}", publishing.Token);
        }

        // Nobody can append an attempt while this lock is held: every node's outcome writes stall for three leases.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE attempts IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            for (var i = 0; i < 100; i++)
            {
                await PublishAsync(() => nodes, account, $"evt_stalled_{i}", publishing.Token);
            }

            await Task.Delay(TimeSpan.FromSeconds(12)); // three 4-second leases: the stall under test
            await transaction.CommitAsync();
        }

        await WaitForAllAcceptedDeliveredAsync();
        var sends = SendsPerEvent();

        Assert.Equal(200, _accepted.Count);
        Assert.Equal(0, sends.Values.Sum() - sends.Count);
        foreach (var node in nodes)
        {
            await AssertReadyAsync(node);
        }
    }
}
