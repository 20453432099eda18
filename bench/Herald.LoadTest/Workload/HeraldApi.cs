using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.LoadTest.Processes;

namespace Herald.LoadTest.Workload;

/// <summary>The admin API calls the harness makes, against one node.</summary>
internal sealed class HeraldApi : IDisposable
{
    private readonly HttpClient _client;

    public HeraldApi(Uri baseUrl, int connections)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        _client = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HeraldNode.AdminKey);
    }

    public async Task<string> CreateAccountAsync(string name) =>
        (await PostAsync("/api/v1/accounts/create", $$"""{"name":"{{name}}"}""")).GetProperty("id").GetString()!;

    public async Task<string> CreateWebhookAsync(string accountId, Uri url) =>
        (await PostAsync("/api/v1/webhooks/create",
            $$"""{"account_id":"{{accountId}}","url":"{{url}}","events":["{{Herald.Bench.BenchEvents.Name}}"],"secret":"{{Herald.Bench.BenchEvents.Secret}}"}"""))
        .GetProperty("id").GetString()!;

    /// <summary>POSTs and returns once the server answered 2xx (for events: 201 means committed).</summary>
    public async Task SendAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The deliveries of one webhook (first page), as the API lists them.</summary>
    public async Task<JsonElement> ListDeliveriesAsync(string webhookId)
    {
        using var response = await _client.GetAsync(new Uri($"/api/v1/deliveries?webhook_id={webhookId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").Clone();
    }

    private async Task<JsonElement> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    public void Dispose() => _client.Dispose();
}
