using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Herald.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Herald.Dashboard.Tests.Support;

/// <summary>
/// The real Herald server (Program.cs's wiring) on Kestrel at 127.0.0.1 with a fresh SQLite file and the system
/// clock, so the browser sees exactly what an operator would. The first retry is an hour away, so in a test only a
/// retrigger makes a second attempt.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const string AdminKey = "hk_admin_dashboard_test_0123456789";

    private readonly WebApplication _app;
    private readonly string _dataPath;

    private DashboardServer(WebApplication app, string dataPath)
    {
        _app = app;
        _dataPath = dataPath;
        BaseAddress = new Uri(app.Urls.Single());
        Admin = new HttpClient { BaseAddress = BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public Uri BaseAddress { get; }

    /// <summary>An API client with the admin key, for what an operator's own services would do (publish events, register apps).</summary>
    public HttpClient Admin { get; }

    public static async Task<DashboardServer> StartAsync()
    {
        var dataPath = Directory.CreateTempSubdirectory("herald-dashboard-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls=http://127.0.0.1:0"], EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HERALD_ADMIN_KEY"] = AdminKey,
            ["Herald:Dev"] = "true",
            ["Herald:DataPath"] = dataPath,
            ["Herald:Storage:SqliteSynchronous"] = "NORMAL",
            ["Herald:Delivery:RetrySchedule:0"] = "01:00:00",
            ["Herald:Delivery:Jitter"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddHeraldServer();
        var app = builder.Build();
        app.MapHeraldServer();
        await app.StartAsync();
        return new DashboardServer(app, dataPath);
    }

    public async Task<JsonObject> PostAsync(string path, JsonNode body)
    {
        using var response = await Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)!.AsObject()
            : throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {text}");
    }

    public async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(text)!.AsObject()
            : throw new HttpRequestException($"GET {path} answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>Waits until Herald has recorded what <paramref name="predicate"/> looks for in the delivery log (polling the API).</summary>
    public async Task<JsonObject> WaitForDeliveryAsync(string query, Func<JsonObject, bool> predicate)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var items = (await GetAsync("/api/v1/deliveries" + query))["items"]!.AsArray();
            if (items.OfType<JsonObject>().FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No delivery matching {query} reached the expected state: {items.ToJsonString()}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
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
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
