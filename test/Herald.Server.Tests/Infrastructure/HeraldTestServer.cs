using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Internal;
using Herald.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// The real Herald server (the same wiring as Program.cs) on Kestrel at 127.0.0.1 with a fresh SQLite
/// database, and — unless asked otherwise — a <see cref="FakeTimeProvider"/> so tests can walk the retry
/// schedule in milliseconds.
/// </summary>
public sealed class HeraldTestServer : IAsyncDisposable
{
    public const string AdminKey = "hk_admin_test_0123456789abcdef";

    public static readonly DateTimeOffset Start = new(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);

    private readonly WebApplication _app;

    private readonly bool _deleteDataOnDispose;

    private HeraldTestServer(WebApplication app, FakeTimeProvider? time, string dataPath, string? postgres, bool deleteDataOnDispose)
    {
        _deleteDataOnDispose = deleteDataOnDispose;
        PostgresConnectionString = postgres;
        _app = app;
        Time = time;
        DataPath = dataPath;
        // The first URL is the API's; a metrics port (Herald:Observability:MetricsPort) adds another after it.
        var address = app.Urls.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        Anonymous = new HttpClient { BaseAddress = new Uri(address) };
    }

    public FakeTimeProvider? Time { get; }

    /// <summary>
    /// Which database the suite runs on: SQLite by default, PostgreSQL when <c>HERALD_TEST_STORAGE=postgres</c>
    /// (the test command runs the suite once each way).
    /// </summary>
    public static bool UsePostgres => string.Equals(Environment.GetEnvironmentVariable("HERALD_TEST_STORAGE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The database this server uses when it runs on PostgreSQL; null on SQLite.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>Opens the server's own database, for tests that check what is stored.</summary>
    public async Task<System.Data.Common.DbConnection> OpenDatabaseAsync()
    {
        System.Data.Common.DbConnection connection = PostgresConnectionString is { } postgres
            ? new Npgsql.NpgsqlConnection(postgres)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(DataPath, "herald.db")};Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    public string DataPath { get; }

    /// <summary>A client sending the admin key.</summary>
    public HttpClient Client { get; }

    /// <summary>A client sending no key.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Configuration on top of the test defaults.</param>
    /// <param name="fakeTime">Run on a <see cref="FakeTimeProvider"/> (default) or the system clock.</param>
    /// <param name="dataPath">The data folder; a new temporary one by default.</param>
    /// <param name="deleteDataOnDispose">Whether disposing deletes the data folder.</param>
    /// <param name="services">Registrations after Herald's own (the last registration of a service wins), e.g. a test <c>NetworkDialer</c>.</param>
    public static async Task<HeraldTestServer> StartAsync(
        IDictionary<string, string?>? settings = null, bool fakeTime = true, string? dataPath = null, bool deleteDataOnDispose = true, Action<IServiceCollection>? services = null)
    {
        dataPath ??= Directory.CreateTempSubdirectory("herald-test-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls=http://127.0.0.1:0"], EnvironmentName = "Testing" });
        var configuration = new Dictionary<string, string?>
        {
            ["HERALD_ADMIN_KEY"] = AdminKey,
            ["Herald:Dev"] = "true",
            ["Herald:DataPath"] = dataPath,
            ["Herald:Storage:SqliteSynchronous"] = "NORMAL",
        };
        string? postgres = null;
        if (UsePostgres)
        {
            postgres = settings?.TryGetValue("Herald:Storage:ConnectionString", out var given) == true && given is not null
                ? given
                : await Herald.Testing.PostgresServer.CreateDatabaseAsync("herald_server");
            configuration["Herald:Storage:Provider"] = "postgres";
            configuration["Herald:Storage:ConnectionString"] = postgres;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddHeraldServer();
        FakeTimeProvider? time = null;
        if (fakeTime)
        {
            time = new FakeTimeProvider(Start);
            builder.Services.AddSingleton<TimeProvider>(time);
        }

        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapHeraldServer();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A server that refused to start is not left behind: its services (meters, listeners, connections) would
            // otherwise live on and show up in other tests' metrics.
            await app.DisposeAsync();
            throw;
        }

        return new HeraldTestServer(app, time, dataPath, postgres, deleteDataOnDispose);
    }

    /// <summary>Moves fake time on and wakes the dispatcher so due retries are claimed at once.</summary>
    public void Advance(TimeSpan by)
    {
        (Time ?? throw new InvalidOperationException("This server runs on the system clock.")).Advance(by);
        Services.GetRequiredService<WakeSignal>().Notify();
    }

    public DateTimeOffset Now => Time?.GetUtcNow() ?? DateTimeOffset.UtcNow;

    public async Task<string> CreateAccountAsync(string name = "Acme", string? orgId = null)
    {
        var account = await PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = name, ["org_id"] = orgId });
        return account["id"]!.GetValue<string>();
    }

    public async Task<JsonObject> CreateWebhookAsync(string accountId, string url, params string[] events)
    {
        var body = new JsonObject { ["account_id"] = accountId, ["url"] = url };
        if (events.Length == 0)
        {
            body["all_events"] = true;
        }
        else
        {
            body["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]);
        }

        return await PostAsync("/api/v1/webhooks/create", body);
    }

    public Task<JsonObject> PublishAsync(string accountId, string name = "payment_intent.succeeded", string? id = null, string dataJson = "{\"object\":{\"id\":\"int_1\",\"amount\":10.5,\"currency\":\"USD\"}}") =>
        PostAsync("/api/v1/events/create", new JsonObject
        {
            ["id"] = id,
            ["name"] = name,
            ["account_id"] = accountId,
            ["data"] = JsonNode.Parse(dataJson),
        });

    public async Task<JsonObject> PostAsync(string path, JsonNode body, HttpClient? client = null)
    {
        using var response = await (client ?? Client).PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> GetAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Client).GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public async Task<JsonArray> DeliveriesAsync(string query = "")
    {
        var list = await GetAsync("/api/v1/deliveries" + query);
        return list["items"]!.AsArray();
    }

    /// <summary>Polls the delivery log (real time) until <paramref name="predicate"/> holds for the delivery.</summary>
    public async Task<JsonObject> WaitForDeliveryAsync(string deliveryId, Func<JsonObject, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonObject delivery;
        do
        {
            delivery = await GetAsync($"/api/v1/deliveries/{deliveryId}");
            if (predicate(delivery))
            {
                return delivery;
            }

            await Task.Delay(15);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"Delivery {deliveryId} never reached the expected state; last seen: {delivery.ToJsonString()}");
    }

    /// <summary>
    /// Waits until no delivery is due: every delivery is final or scheduled after <see cref="Now"/>. From then on
    /// nothing is sent until time moves on or new work is made, so a test can check that something did not happen
    /// without sleeping: every attempt that will ever be made by now has been made and recorded.
    /// </summary>
    public async Task WaitForIdleAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var database = Services.GetRequiredService<Herald.Server.Storage.SqlDatabase>();
        long due;
        do
        {
            await using (var connection = await database.OpenAsync(CancellationToken.None))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT COUNT(*) FROM deliveries WHERE status = 'queued' AND next_attempt_at <= {Now.ToUnixTimeMilliseconds()}";
                due = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }

            if (due == 0)
            {
                return;
            }

            await Task.Delay(10);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"{due} deliveries were still due after the wait.");
    }

    public static int AttemptCount(JsonObject delivery) => delivery["attempts"]?.AsArray().Count ?? 0;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_deleteDataOnDispose)
        {
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
