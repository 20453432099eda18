using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(Herald.Cli.Tests.Infrastructure.HeraldServer))]

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>
/// One real Herald server for the whole test assembly, started the way a developer would:
/// <c>herald serve --dev --data &lt;tmp&gt; --urls http://127.0.0.1:0</c> with <c>HERALD_ADMIN_KEY</c> set. Tests
/// keep apart by creating their own accounts.
/// </summary>
public sealed class HeraldServer : IAsyncLifetime
{
    public const string AdminKey = "hk_admin_cli_tests_0123456789abcdef";

    private CliProcess? _process;

    public string Url { get; private set; } = null!;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("herald-cli-server-").FullName;

    /// <summary>A client of the server's API with the admin key, for arranging and checking state directly.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The environment that points herald at this server with the admin key.</summary>
    public Dictionary<string, string?> AdminEnvironment => new() { ["HERALD_URL"] = Url, ["HERALD_API_KEY"] = AdminKey };

    public async ValueTask InitializeAsync()
    {
        _process = CliProcess.Start(
            ["serve", "--dev", "--data", DataPath, "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string?>
            {
                ["HERALD_ADMIN_KEY"] = AdminKey,
                ["Logging__LogLevel__Default"] = "Warning",
                ["Herald__Storage__SqliteSynchronous"] = "NORMAL",
            },
            workingDirectory: DataPath);
        var listening = await _process.WaitForLineAsync(@"Herald is listening on (http://127\.0\.0\.1:\d+)", TimeSpan.FromSeconds(60));
        Url = listening.Groups[1].Value;
        Admin = new HttpClient { BaseAddress = new Uri(Url) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public async Task<string> CreateAccountAsync(string name = "Acme")
    {
        var account = await PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = name });
        return account.GetProperty("id").GetString()!;
    }

    public async Task<string> CreateAccountKeyAsync(string accountId)
    {
        var key = await PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = accountId });
        return key.GetProperty("key").GetString()!;
    }

    public async Task<JsonElement> PostAsync(string path, JsonNode body)
    {
        using var response = await Admin.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls the delivery log until the delivery satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitForDeliveryAsync(string deliveryId, Func<JsonElement, bool> predicate)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement delivery;
        do
        {
            delivery = await GetAsync($"/api/v1/deliveries/{deliveryId}");
            if (predicate(delivery))
            {
                return delivery;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"Delivery {deliveryId} never reached the expected state; last seen: {delivery}");
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (_process is not null)
        {
            try
            {
                await _process.TerminateAsync();
            }
            finally
            {
                // Never leave a server behind, even when it did not stop in time.
                await _process.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
