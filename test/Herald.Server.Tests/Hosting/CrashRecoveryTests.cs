using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Hosting;

/// <summary>Runs the real server process and stops it the hard way and the polite way.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int EventCount = 60;

    private readonly Dictionary<string, string> FastRecovery = new()
    {
        ["Herald__Delivery__Timeout"] = "00:00:02",
        ["Herald__Delivery__LeaseDuration"] = "00:00:03",
        ["Herald__Delivery__PollInterval"] = "00:00:00.200",
        ["Herald__Delivery__MaxConcurrencyPerEndpoint"] = "4",
    };

    private readonly string _dataPath = Directory.CreateTempSubdirectory("herald-crash-").FullName;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        if (HeraldTestServer.UsePostgres)
        {
            // Both server processes share one database, as nodes of a deployment would.
            FastRecovery["Herald__Storage__Provider"] = "postgres";
            FastRecovery["Herald__Storage__ConnectionString"] = await PostgresServer.CreateDatabaseAsync("herald_crash");
        }

        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = _ => new ReceiverResponse(200, Delay: TimeSpan.FromMilliseconds(150));
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_dataPath, recursive: true);
    }

    private async Task<HashSet<string>> PublishAsync(HeraldProcess server)
    {
        var account = await PostAsync(server, "/api/v1/accounts/create", new JsonObject { ["name"] = "Acme" });
        await PostAsync(server, "/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account["id"]!.GetValue<string>(), ["url"] = _receiver.Url(), ["events"] = new JsonArray("payment_intent.succeeded"),
        });
        var ids = new HashSet<string>();
        for (var i = 0; i < EventCount; i++)
        {
            var published = await PostAsync(server, "/api/v1/events/create", new JsonObject
            {
                ["id"] = $"evt_crash_{i}", ["name"] = "payment_intent.succeeded", ["account_id"] = account["id"]!.GetValue<string>(),
                ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = $"int_{i}" } },
            });
            ids.Add(published["id"]!.GetValue<string>());
        }

        return ids;
    }

    private static async Task<JsonObject> PostAsync(HeraldProcess server, string path, JsonNode body)
    {
        using var response = await server.Client.PostAsync(path, HeraldTestServer.Json(body));
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private HashSet<string> ReceivedIds() =>
        _receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()!).ToHashSet();

    [Fact]
    public async Task Every_accepted_event_is_delivered_after_the_server_is_killed_mid_delivery_and_restarted()
    {
        var port = HeraldProcess.FreePort();
        HashSet<string> accepted;
        await using (var first = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery))
        {
            accepted = await PublishAsync(first);
            await _receiver.WaitUntilAsync(r => r.Count >= 5);
            await first.KillAsync();
        }

        var beforeRestart = ReceivedIds().Count;
        await using var second = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery);
        await _receiver.WaitUntilAsync(_ => ReceivedIds().IsSupersetOf(accepted), TimeSpan.FromSeconds(60));

        Assert.True(beforeRestart < EventCount, "the kill should land while deliveries are still pending");
        Assert.Superset(accepted, ReceivedIds());
        using var response = await second.Client.GetAsync("/api/v1/deliveries?status=queued");
        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_graceful_stop_lets_attempts_in_flight_finish_and_records_them_so_nothing_is_sent_twice()
    {
        var port = HeraldProcess.FreePort();
        HashSet<string> accepted;
        await using (var first = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery))
        {
            accepted = await PublishAsync(first);
            await _receiver.WaitUntilAsync(r => r.Count >= 5);
            await first.TerminateAsync();
        }

        var sentBeforeStop = _receiver.Requests.Count;
        await using var second = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery);
        await _receiver.WaitUntilAsync(_ => ReceivedIds().IsSupersetOf(accepted), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(4)); // past a lease, so a wrongly unrecorded attempt would be resent

        Assert.True(sentBeforeStop < EventCount, "the stop should land while deliveries are still pending");
        Assert.Equal(accepted.Count, _receiver.Requests.Count);
    }
}
