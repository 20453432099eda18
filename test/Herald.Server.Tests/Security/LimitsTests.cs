using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Security;

/// <summary>Per-key request rates (429 rate_limited with Retry-After) and the number of webhooks an owner may have.</summary>
public sealed class LimitsTests
{
    private static HttpClient ClientWith(HeraldTestServer server, string key)
    {
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_rate_limited_with_Retry_After_while_other_keys_go_on()
    {
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:RateLimits:TenantPermitsPerSecond"] = "1",
            ["Herald:RateLimits:TenantBurst"] = "3",
        });
        var account = await server.CreateAccountAsync();
        var first = (await server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account }))["key"]!.GetValue<string>();
        var second = (await server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account }))["key"]!.GetValue<string>();
        using var limited = ClientWith(server, first);
        using var other = ClientWith(server, second);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 10 && rejected is null; i++)
        {
            var response = await limited.GetAsync("/api/v1/webhooks");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(rejected);
        using (rejected)
        {
            var error = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("rate_limited", error.GetProperty("code").GetString());
            Assert.True(rejected.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {rejected.Headers.RetryAfter}");
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 3, string.Join(", ", statuses));
        using var otherKey = await other.GetAsync("/api/v1/webhooks");
        using var admin = await server.Client.GetAsync("/api/v1/webhooks");
        using var health = await server.Anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_share_a_bucket_per_client_address()
    {
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:RateLimits:AnonymousPermitsPerSecond"] = "1",
            ["Herald:RateLimits:AnonymousBurst"] = "2",
        });
        using var guessing = ClientWith(server, "hk_guess");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await guessing.GetAsync("/api/v1/webhooks");
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task An_account_cannot_have_more_webhooks_than_the_limit()
    {
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Webhooks:MaxWebhooksPerOwner"] = "2" });
        var account = await server.CreateAccountAsync();
        var kept = await server.CreateWebhookAsync(account, "https://example.com/1", "refund.received");
        await server.CreateWebhookAsync(account, "https://example.com/2", "refund.received");

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => server.CreateWebhookAsync(account, "https://example.com/3", "refund.received"));
        await server.PostAsync($"/api/v1/webhooks/{kept["id"]}/delete", new JsonObject());
        await server.CreateWebhookAsync(account, "https://example.com/3", "refund.received");

        Assert.Contains("answered 400", refused.Message, StringComparison.Ordinal);
        Assert.Contains("already has 2 webhooks", refused.Message, StringComparison.Ordinal);
    }
}
