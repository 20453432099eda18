using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Partners;

/// <summary>A partner app as its creator sees it once: ids, the secret, and a client sending its Basic credentials.</summary>
public sealed record TestApp(string AppId, string ClientId, string ClientSecret, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>Organizations, keys, apps and connections for partner tests, all through the public API.</summary>
public static class PartnerKit
{
    public static async Task<string> CreateOrganizationAsync(this HeraldTestServer server, string name = "Group")
    {
        var org = await server.PostAsync("/api/v1/organizations/create", new JsonObject { ["name"] = name });
        return org["id"]!.GetValue<string>();
    }

    public static async Task<TestApp> CreateAppAsync(this HeraldTestServer server, string name = "Partner")
    {
        var app = await server.PostAsync("/api/v1/apps/create", new JsonObject { ["name"] = name });
        var clientId = app["client_id"]!.GetValue<string>();
        var secret = app["client_secret"]!.GetValue<string>();
        return new TestApp(app["app_id"]!.GetValue<string>(), clientId, secret, BasicClient(server, clientId, secret));
    }

    public static HttpClient BasicClient(HeraldTestServer server, string clientId, string secret)
    {
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return client;
    }

    public static HttpClient BearerClient(HeraldTestServer server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A client holding a new key for <c>{"account_id":…}</c> or <c>{"org_id":…}</c>.</summary>
    public static async Task<HttpClient> KeyClientAsync(this HeraldTestServer server, string? accountId = null, string? orgId = null)
    {
        var key = await server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = accountId, ["org_id"] = orgId });
        return BearerClient(server, key["key"]!.GetValue<string>());
    }

    public static Task<JsonObject> ConnectAsync(this HeraldTestServer server, string accountId, string appId) =>
        server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = appId, ["account_id"] = accountId });

    public static Task<JsonObject> CreatePartnerWebhookAsync(this HeraldTestServer server, TestApp app, string url, params string[] events)
    {
        var body = new JsonObject { ["url"] = url };
        if (events.Length == 0)
        {
            body["all_events"] = true;
        }
        else
        {
            body["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]);
        }

        return server.PostAsync("/partner-api/v1/webhooks/create", body, app.Client);
    }

    public static JsonArray Ids(params string[] ids) => new([.. ids.Select(i => (JsonNode)i)]);

    public static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>());
}
