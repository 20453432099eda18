using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

public sealed class TenantKeyTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HeraldTestServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> ClientForAsync(JsonObject keyRequest)
    {
        var key = await _server.PostAsync("/api/v1/api_keys/create", keyRequest);
        var client = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key["key"]!.GetValue<string>());
        return client;
    }

    [Fact]
    public async Task An_account_key_sees_only_its_own_webhooks_and_deliveries()
    {
        var mine = await _server.CreateAccountAsync("Mine");
        var theirs = await _server.CreateAccountAsync("Theirs");
        using var client = await ClientForAsync(new JsonObject { ["account_id"] = mine });
        var own = await _server.PostAsync("/api/v1/webhooks/create", new JsonObject { ["url"] = "http://127.0.0.1:9/a", ["all_events"] = true }, client);
        var foreign = await _server.CreateWebhookAsync(theirs, "http://127.0.0.1:9/b");

        var list = await _server.GetAsync("/api/v1/webhooks", client);
        using var other = await client.GetAsync($"/api/v1/webhooks/{foreign["id"]}");
        using var update = await client.PostAsync($"/api/v1/webhooks/{foreign["id"]}/update", HeraldTestServer.Json(new JsonObject { ["status"] = "DISABLED" }));
        using var create = await client.PostAsync("/api/v1/webhooks/create", HeraldTestServer.Json(new JsonObject { ["account_id"] = theirs, ["url"] = "http://127.0.0.1:9/c", ["all_events"] = true }));

        Assert.Equal(mine, own["account_id"]!.GetValue<string>());
        Assert.Equal([own["id"]!.GetValue<string>()], list["items"]!.AsArray().Select(w => w!["id"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, create.StatusCode);
        Assert.Equal("ENABLED", (await _server.GetAsync($"/api/v1/webhooks/{foreign["id"]}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_organization_key_acts_on_its_accounts_and_not_on_others()
    {
        var org = await _server.PostAsync("/api/v1/organizations/create", new JsonObject { ["name"] = "Group" });
        var member = await _server.CreateAccountAsync("Member", org["id"]!.GetValue<string>());
        var outsider = await _server.CreateAccountAsync("Outsider");
        using var client = await ClientForAsync(new JsonObject { ["org_id"] = org["id"]!.GetValue<string>() });

        var created = await _server.PostAsync("/api/v1/webhooks/create", new JsonObject { ["account_id"] = member, ["url"] = "http://127.0.0.1:9/a", ["all_events"] = true }, client);
        using var refused = await client.PostAsync("/api/v1/webhooks/create", HeraldTestServer.Json(new JsonObject { ["account_id"] = outsider, ["url"] = "http://127.0.0.1:9/b", ["all_events"] = true }));
        using var unnamed = await client.PostAsync("/api/v1/webhooks/create", HeraldTestServer.Json(new JsonObject { ["url"] = "http://127.0.0.1:9/b", ["all_events"] = true }));
        var accounts = await _server.GetAsync("/api/v1/accounts", client);

        Assert.Equal(member, created["account_id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Equal([member], accounts["items"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Api_keys_are_stored_hashed_and_never_shown_again()
    {
        var account = await _server.CreateAccountAsync();
        var key = await _server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account });
        var plaintext = key["key"]!.GetValue<string>();

        await using var connection = await _server.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_hash FROM api_keys";
        var stored = (byte[])(await command.ExecuteScalarAsync())!;

        Assert.Equal(32, stored.Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(plaintext)), stored);
        if (_server.PostgresConnectionString is null)
        {
            Assert.DoesNotContain(plaintext, await File.ReadAllTextAsync(Path.Combine(_server.DataPath, "herald.db")), StringComparison.Ordinal);
        }
    }
}
