using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Hosting;

/// <summary>Runs the real server process and stops it the hard way and the polite way.</summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int EventCount = 60;
    private const int MaxConcurrency = 4;

    private readonly Dictionary<string, string> FastRecovery = new()
    {
        ["Herald__Delivery__Timeout"] = "00:00:02",
        ["Herald__Delivery__LeaseDuration"] = "00:00:03",
        ["Herald__Delivery__PollInterval"] = "00:00:00.200",
        ["Herald__Delivery__MaxConcurrencyPerEndpoint"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
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

    /// <summary>Deliveries due and not yet final in the shared database: zero means every attempt ever due has been made and recorded.</summary>
    private Task<long> DueDeliveriesAsync() =>
        CountAsync($"SELECT COUNT(*) FROM deliveries WHERE status = 'queued' AND next_attempt_at <= {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");

    private async Task<long> CountAsync(string sql)
    {
        System.Data.Common.DbConnection connection = FastRecovery.TryGetValue("Herald__Storage__ConnectionString", out var postgres)
            ? new Npgsql.NpgsqlConnection(postgres)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataPath, "herald.db")};Mode=ReadOnly;Pooling=false");
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Waits until every delivery succeeded: from then on nothing more is sent, so the counts are final.</summary>
    private async Task WaitForAllDeliveredAsync(int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await CountAsync("SELECT COUNT(*) FROM deliveries WHERE status = 'success'") < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not every delivery succeeded within a minute; {await DueDeliveriesAsync()} still due");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Every_accepted_event_is_delivered_after_the_server_is_killed_mid_delivery_and_restarted()
    {
        // The receiver holds every answer, so exactly the first attempts are in flight when the kill lands.
        var held = new TaskCompletionSource();
        _receiver.Respond = _ => new ReceiverResponse(200, Until: held.Task);
        var port = HeraldProcess.FreePort();
        HashSet<string> accepted;
        await using (var first = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery))
        {
            accepted = await PublishAsync(first);
            await _receiver.WaitUntilAsync(r => r.Count >= MaxConcurrency);
            await first.KillAsync();
        }

        var beforeRestart = ReceivedIds().Count;
        held.SetResult();
        _receiver.Respond = _ => ReceiverResponse.Ok;
        await using var second = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery);
        await _receiver.WaitUntilAsync(_ => ReceivedIds().IsSupersetOf(accepted), TimeSpan.FromSeconds(60));

        Assert.InRange(beforeRestart, 1, EventCount - 1);
        Assert.Superset(accepted, ReceivedIds());
        using var response = await second.Client.GetAsync("/api/v1/deliveries?status=queued");
        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_graceful_stop_lets_attempts_in_flight_finish_and_records_them_so_nothing_is_sent_twice()
    {
        var held = new TaskCompletionSource();
        _receiver.Respond = _ => new ReceiverResponse(200, Until: held.Task);
        var port = HeraldProcess.FreePort();
        HashSet<string> accepted;
        await using (var first = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery))
        {
            accepted = await PublishAsync(first);
            await _receiver.WaitUntilAsync(r => r.Count >= MaxConcurrency);

            // Stop while the attempts are held in flight; release them only once the dispatcher has stopped claiming.
            await first.SignalTerminateAsync();
            await first.WaitForOutputAsync("Delivery dispatcher stopping");
            held.SetResult();
            await first.WaitForExitAsync();
        }

        var attemptedBeforeStop = ReceivedIds().Count;
        _receiver.Respond = _ => ReceiverResponse.Ok;
        await using var second = await HeraldProcess.StartAsync(_dataPath, port, FastRecovery);
        await _receiver.WaitUntilAsync(_ => ReceivedIds().IsSupersetOf(accepted), TimeSpan.FromSeconds(60));

        // Every request the receiver ever got must be a recorded attempt: an attempt the first process sent but did not
        // record would show as one request more than there are attempts (and its delivery would be sent again). Held
        // answers may also have timed out in the first process: those are recorded failures, retried a few seconds on.
        await WaitForAllDeliveredAsync(accepted.Count);
        Assert.InRange(attemptedBeforeStop, 1, EventCount - 1);
        Assert.Equal(_receiver.Requests.Count, await CountAsync("SELECT COUNT(*) FROM attempts"));
    }
}
