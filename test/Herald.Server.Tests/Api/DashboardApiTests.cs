using System.Net;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Server.Tests.Partners;
using Herald.Testing;

namespace Herald.Server.Tests.Api;

/// <summary>The API the dashboard reads: event and delivery searches, delivery statistics, connections with app names, whoami.</summary>
public sealed class DashboardApiTests : ServerWithReceiverTest
{
    private static string At(DateTimeOffset instant) => Uri.EscapeDataString(instant.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));

    private static IEnumerable<string> Ids(JsonObject list) => list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>());

    private async Task<(int Status, JsonObject Body)> GetRawAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Server.Client).GetAsync(path);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Events_are_found_by_id_and_by_a_created_at_range()
    {
        var account = await Server.CreateAccountAsync();
        foreach (var (id, day) in new[] { ("evt_may_1", 1), ("evt_may_10", 10), ("evt_may_20", 20) })
        {
            await Server.PostAsync("/api/v1/events/create", new JsonObject
            {
                ["id"] = id, ["name"] = "refund.received", ["account_id"] = account,
                ["created_at"] = $"2026-05-{day:00}T12:00:00+0000", ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = id } },
            });
        }

        var byId = await Server.GetAsync("/api/v1/events?id=evt_may_20");
        var inRange = await Server.GetAsync("/api/v1/events?from_created_at=2026-05-05T00:00:00Z&to_created_at=2026-05-15T00:00:00%2B0000");
        var missing = await Server.GetAsync("/api/v1/events?id=evt_none");
        var (status, error) = await GetRawAsync("/api/v1/events?from_created_at=2026-05-15T00:00:00Z&to_created_at=2026-05-05T00:00:00Z");

        Assert.Equal(["evt_may_20"], Ids(byId));
        Assert.Equal(["evt_may_10"], Ids(inRange));
        Assert.Empty(Ids(missing));
        Assert.Equal(400, status);
        Assert.Equal("from_created_at", error["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deliveries_are_found_by_a_created_at_range()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url(), "refund.received");
        await Server.PublishAsync(account, "refund.received", id: "evt_early");
        Server.Advance(TimeSpan.FromHours(1));
        await Server.PublishAsync(account, "refund.received", id: "evt_late");
        var middle = At(HeraldTestServer.Start.AddMinutes(30));

        var after = await Server.DeliveriesAsync($"?from_created_at={middle}");
        var before = await Server.DeliveriesAsync($"?to_created_at={middle}");
        var (status, error) = await GetRawAsync($"/api/v1/deliveries?from_created_at={At(HeraldTestServer.Start.AddHours(2))}&to_created_at={middle}");
        var (badStatus, badTime) = await GetRawAsync("/api/v1/deliveries?to_created_at=yesterday");

        Assert.Equal(["evt_late"], after.Select(d => d!["event_id"]!.GetValue<string>()));
        Assert.Equal(["evt_early"], before.Select(d => d!["event_id"]!.GetValue<string>()));
        Assert.Equal(400, status);
        Assert.Equal("from_created_at", error["source"]!.GetValue<string>());
        Assert.Equal(400, badStatus);
        Assert.Equal("to_created_at", badTime["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delivery_statistics_count_attempts_per_minute_by_outcome_within_the_callers_scope()
    {
        var account = await Server.CreateAccountAsync("Stats");
        var other = await Server.CreateAccountAsync("Other");
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url(), "refund.received");
        var quiet = await Server.CreateWebhookAsync(account, Receiver.Url("/quiet"), "dispute.won");
        Receiver.Respond = _ => new ReceiverResponse(500, "down");
        await Server.PublishAsync(account, "refund.received", id: "evt_stats_1");
        var first = (await Server.DeliveriesAsync("?event_id=evt_stats_1"))[0]!["id"]!.GetValue<string>();
        await Server.WaitForDeliveryAsync(first, d => HeraldTestServer.AttemptCount(d) == 1);
        Receiver.Respond = _ => ReceiverResponse.Ok;
        await Server.PostAsync("/api/v1/deliveries/retrigger", new JsonObject { ["ids"] = new JsonArray(first) });
        await Server.WaitForDeliveryAsync(first, d => d["status"]!.GetValue<string>() == "success");
        await Server.PublishAsync(account, "refund.received", id: "evt_stats_2");
        var second = (await Server.DeliveriesAsync("?event_id=evt_stats_2"))[0]!["id"]!.GetValue<string>();
        await Server.WaitForDeliveryAsync(second, d => d["status"]!.GetValue<string>() == "success");
        using var otherKey = await Server.KeyClientAsync(accountId: other);
        var range = $"from={At(HeraldTestServer.Start.AddMinutes(-1))}&to={At(HeraldTestServer.Start.AddMinutes(5))}";

        var stats = await Server.GetAsync($"/api/v1/stats/deliveries?{range}&webhook_id={webhook["id"]}");
        var quietStats = await Server.GetAsync($"/api/v1/stats/deliveries?{range}&webhook_id={quiet["id"]}");
        var otherStats = await Server.GetAsync($"/api/v1/stats/deliveries?{range}", otherKey);
        var overall = await Server.GetAsync($"/api/v1/stats/deliveries?{range}&bucket=hour");

        var summary = stats["summary"]!;
        Assert.Equal((3, 2, 1, 0), (summary["attempts"]!.GetValue<long>(), summary["succeeded"]!.GetValue<long>(), summary["failed"]!.GetValue<long>(), summary["errored"]!.GetValue<long>()));
        Assert.Equal(0.6667, summary["success_rate"]!.GetValue<double>());
        Assert.NotNull(summary["latency_ms"]!["p95"]);
        var buckets = stats["buckets"]!.AsArray();
        Assert.Equal(7, buckets.Count);
        Assert.Equal("2026-05-20T13:53:00+0000", buckets[0]!["start"]!.GetValue<string>());
        Assert.Equal(3, buckets[1]!["attempts"]!.GetValue<long>());
        Assert.Equal(3, buckets.Sum(b => b!["attempts"]!.GetValue<long>()));
        Assert.Equal(0, quietStats["summary"]!["attempts"]!.GetValue<long>());
        Assert.Null(quietStats["summary"]!["success_rate"]);
        Assert.Equal(0, otherStats["summary"]!["attempts"]!.GetValue<long>());
        Assert.Equal(3, overall["summary"]!["attempts"]!.GetValue<long>());
        Assert.Equal("2026-05-20T13:00:00+0000", overall["buckets"]![0]!["start"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("bucket=week", "bucket")]
    [InlineData("from=2026-05-20T14:00:00Z&to=2026-05-20T13:00:00Z", "from")]
    [InlineData("from=2026-05-01T00:00:00Z&to=2026-05-20T00:00:00Z&bucket=minute", "bucket")]
    [InlineData("from=soon", "from")]
    public async Task Delivery_statistics_refuse_bad_ranges_naming_the_parameter(string query, string source)
    {
        var (status, error) = await GetRawAsync($"/api/v1/stats/deliveries?{query}");

        Assert.Equal(400, status);
        Assert.Equal("validation_error", error["code"]!.GetValue<string>());
        Assert.Equal(source, error["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Connections_carry_the_app_name_and_a_disconnect_answers_with_the_emitted_envelope()
    {
        var account = await Server.CreateAccountAsync();
        using var app = await Server.CreateAppAsync("Ledger Sync");
        using var key = await Server.KeyClientAsync(accountId: account);
        await Server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId }, key);

        var connections = await Server.GetAsync("/api/v1/connections", key);
        var disconnect = await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, key);
        var stored = await Server.GetAsync($"/api/v1/events/{disconnect["event_id"]}");

        Assert.Equal("Ledger Sync", connections["items"]![0]!["app_name"]!.GetValue<string>());
        var emitted = disconnect["event"]!.AsObject();
        Assert.Equal(disconnect["event_id"]!.GetValue<string>(), emitted["id"]!.GetValue<string>());
        Assert.Equal("partner_connection.disconnected", emitted["name"]!.GetValue<string>());
        Assert.Equal([account], emitted["data"]!["account_ids"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(stored.ToJsonString(), emitted.ToJsonString());
    }

    [Fact]
    public async Task Whoami_tells_the_kind_of_key()
    {
        var org = await Server.CreateOrganizationAsync();
        var account = await Server.CreateAccountAsync(orgId: org);
        using var accountKey = await Server.KeyClientAsync(accountId: account);
        using var orgKey = await Server.KeyClientAsync(orgId: org);

        var admin = await Server.GetAsync("/api/v1/whoami");
        var asAccount = await Server.GetAsync("/api/v1/whoami", accountKey);
        var asOrg = await Server.GetAsync("/api/v1/whoami", orgKey);
        using var anonymous = await Server.Anonymous.GetAsync("/api/v1/whoami");

        Assert.Equal("""{"kind":"admin"}""", admin.ToJsonString());
        Assert.Equal($$"""{"kind":"account","account_id":"{{account}}"}""", asAccount.ToJsonString());
        Assert.Equal($$"""{"kind":"organization","org_id":"{{org}}"}""", asOrg.ToJsonString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
