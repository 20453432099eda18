using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Partners;

public sealed class PartnerApiTests : ServerWithReceiverTest
{
    private static JsonArray Items(JsonObject list) => list["items"]!.AsArray();

    [Fact]
    public async Task App_credentials_are_shown_once_stored_hashed_and_checked_with_Basic_authentication()
    {
        using var app = await Server.CreateAppAsync();
        using var wrongSecret = PartnerKit.BasicClient(Server, app.ClientId, app.ClientSecret + "x");
        using var unknownClient = PartnerKit.BasicClient(Server, "no-such-client", app.ClientSecret);
        using var admin = PartnerKit.BearerClient(Server, HeraldTestServer.AdminKey);
        using var malformed = new HttpClient { BaseAddress = Server.Client.BaseAddress };
        malformed.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic not-base64!");
        using var noColon = new HttpClient { BaseAddress = Server.Client.BaseAddress };
        noColon.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(app.ClientId)));

        using var ok = await app.Client.GetAsync("/partner-api/v1/webhooks");
        using var anonymous = await Server.Anonymous.GetAsync("/partner-api/v1/webhooks");
        var refused = new[]
        {
            await wrongSecret.GetAsync("/partner-api/v1/webhooks"),
            await unknownClient.GetAsync("/partner-api/v1/webhooks"),
            await malformed.GetAsync("/partner-api/v1/webhooks"),
            await noColon.GetAsync("/partner-api/v1/webhooks"),
            await admin.GetAsync("/partner-api/v1/webhooks"),
            await app.Client.GetAsync("/api/v1/webhooks"),
            await app.Client.PostAsync("/api/v1/apps/create", HeraldTestServer.Json(new JsonObject { ["name"] = "Sneaky" })),
            anonymous,
        };

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("unauthorized", JsonNode.Parse(body)!["code"]!.GetValue<string>());
            Assert.DoesNotContain(app.ClientSecret, body, StringComparison.Ordinal);
        }

        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        if (Server.PostgresConnectionString is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var database = await File.ReadAllBytesAsync(Path.Combine(Server.DataPath, "herald.db"));
            var wal = Path.Combine(Server.DataPath, "herald.db-wal");
            var everything = Encoding.UTF8.GetString(database) + (File.Exists(wal) ? Encoding.UTF8.GetString(await File.ReadAllBytesAsync(wal)) : string.Empty);
            Assert.DoesNotContain(app.ClientSecret, everything, StringComparison.Ordinal);
            Assert.Contains(app.ClientId, everything, StringComparison.Ordinal);
        }

        await using var connection = await Server.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_id, client_secret_hash FROM apps";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(app.ClientId, reader.GetString(0));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(app.ClientSecret)), (byte[])reader[1]);
    }

    [Fact]
    public async Task One_partner_subscription_receives_the_events_of_every_connected_account_and_no_other()
    {
        var first = await Server.CreateAccountAsync("First");
        var second = await Server.CreateAccountAsync("Second");
        var stranger = await Server.CreateAccountAsync("Stranger");
        using var app = await Server.CreateAppAsync();
        using var otherApp = await Server.CreateAppAsync("Other partner");
        await Server.ConnectAsync(first, app.AppId);
        await Server.ConnectAsync(second, app.AppId);
        await Server.ConnectAsync(stranger, otherApp.AppId);
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "payment_intent.succeeded");
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner-refunds"), "refund.received");
        await Server.CreateWebhookAsync(first, Receiver.Url("/first-all"));

        await Server.PublishAsync(first, id: "evt_first");
        await Server.PublishAsync(second, id: "evt_second");
        await Server.PublishAsync(stranger, id: "evt_stranger");
        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/partner") == 2 && r.Any(x => x.Path == "/first-all"));
        // The account's all_events webhook must not get the partner event either.
        await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = first });
        await Server.WaitForIdleAsync();
        var deliveries = Items(await Server.GetAsync("/partner-api/v1/deliveries", app.Client));

        var bodies = Receiver.Requests.Where(r => r.Path == "/partner").Select(r => JsonNode.Parse(r.BodyText)!).ToList();
        Assert.Equal(new[] { first, second }.Order(), bodies.Select(b => b["account_id"]!.GetValue<string>()).Order());
        Assert.DoesNotContain(Receiver.Requests, r => r.Path == "/partner-refunds");
        Assert.Single(Receiver.Requests, r => r.Path == "/first-all");
        Assert.Equal(["evt_first", "evt_second"], deliveries.Select(d => d!["event_id"]!.GetValue<string>()).Order());
        Assert.Equal([first, second], deliveries.OrderBy(d => d!["event_id"]!.GetValue<string>(), StringComparer.Ordinal).Select(d => d!["account_id"]!.GetValue<string>()));
        Assert.Empty(Items(await Server.GetAsync("/partner-api/v1/deliveries", otherApp.Client)));
    }

    [Fact]
    public async Task Connections_are_listed_from_both_sides_and_a_reconnected_account_delivers_again()
    {
        var org = await Server.CreateOrganizationAsync();
        var member = await Server.CreateAccountAsync("Member", org);
        var sibling = await Server.CreateAccountAsync("Sibling", org);
        var outsider = await Server.CreateAccountAsync("Outsider");
        using var app = await Server.CreateAppAsync();
        using var otherApp = await Server.CreateAppAsync("Other");
        using var memberKey = await Server.KeyClientAsync(accountId: member);
        using var orgKey = await Server.KeyClientAsync(orgId: org);

        using var created = await memberKey.PostAsync("/api/v1/connections/create", HeraldTestServer.Json(new JsonObject { ["app_id"] = app.AppId }));
        using var repeated = await memberKey.PostAsync("/api/v1/connections/create", HeraldTestServer.Json(new JsonObject { ["app_id"] = app.AppId }));
        await Server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = sibling }, orgKey);
        await Server.ConnectAsync(outsider, app.AppId);
        await Server.ConnectAsync(outsider, otherApp.AppId);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal([member], Items(await Server.GetAsync("/api/v1/connections", memberKey)).Select(c => c!["account_id"]!.GetValue<string>()));
        Assert.Equal(new[] { member, sibling }.Order(), Items(await Server.GetAsync("/api/v1/connections", orgKey)).Select(c => c!["account_id"]!.GetValue<string>()).Order());
        Assert.Equal([sibling], Items(await Server.GetAsync($"/api/v1/connections?account_id={sibling}", orgKey)).Select(c => c!["account_id"]!.GetValue<string>()));
        Assert.Equal(3, Items(await Server.GetAsync("/partner-api/v1/connections", app.Client)).Count);
        Assert.Equal([outsider], Items(await Server.GetAsync("/partner-api/v1/connections", otherApp.Client)).Select(c => c!["account_id"]!.GetValue<string>()));
        Assert.Equal(org, Items(await Server.GetAsync($"/partner-api/v1/connections?account_id={member}", app.Client)).Single()!["org_id"]!.GetValue<string>());

        await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, memberKey);
        Assert.Equal("DISCONNECTED", Items(await Server.GetAsync($"/partner-api/v1/connections?account_id={member}", app.Client)).Single()!["status"]!.GetValue<string>());
        Assert.Equal(2, Items(await Server.GetAsync("/partner-api/v1/connections?status=ACTIVE", app.Client)).Count);

        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "customer.created");
        using var reconnected = await memberKey.PostAsync("/api/v1/connections/create", HeraldTestServer.Json(new JsonObject { ["app_id"] = app.AppId }));
        await Server.PublishAsync(member, "customer.created", id: "evt_after_reconnect");
        var received = await Receiver.NextAsync();

        Assert.Equal(HttpStatusCode.Created, reconnected.StatusCode);
        Assert.Contains("evt_after_reconnect", received.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_manages_its_own_webhooks_and_retriggers_its_own_deliveries()
    {
        var account = await Server.CreateAccountAsync();
        using var app = await Server.CreateAppAsync();
        await Server.ConnectAsync(account, app.AppId);
        using var withAccount = await app.Client.PostAsync("/partner-api/v1/webhooks/create", HeraldTestServer.Json(new JsonObject
        {
            ["url"] = Receiver.Url("/x"), ["all_events"] = true, ["account_id"] = account,
        }));
        var hook = await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "partner_connection.disconnected", "refund.failed");
        var id = hook["id"]!.GetValue<string>();

        var listed = Items(await Server.GetAsync("/partner-api/v1/webhooks", app.Client));
        var updated = await Server.PostAsync($"/partner-api/v1/webhooks/{id}/update", new JsonObject { ["description"] = "ops" }, app.Client);
        await Server.PublishAsync(account, "refund.failed", id: "evt_refund");
        await Receiver.NextAsync();
        var delivery = Items(await Server.GetAsync("/partner-api/v1/deliveries", app.Client)).Single()!;
        await Server.WaitForDeliveryAsync(delivery["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");
        var retriggered = await Server.PostAsync("/partner-api/v1/deliveries/retrigger", new JsonObject { ["ids"] = PartnerKit.Ids(delivery["id"]!.GetValue<string>()) }, app.Client);
        var again = await Receiver.NextAsync();
        await Server.PostAsync($"/partner-api/v1/webhooks/{id}/delete", new JsonObject(), app.Client);
        using var gone = await app.Client.GetAsync($"/partner-api/v1/webhooks/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, withAccount.StatusCode);
        Assert.Equal("account_id", JsonNode.Parse(await withAccount.Content.ReadAsStringAsync())!["source"]!.GetValue<string>());
        Assert.Equal(app.AppId, hook["app_id"]!.GetValue<string>());
        Assert.Null(hook["account_id"]);
        Assert.StartsWith("whsec_", hook["secret"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([id], listed.Select(w => w!["id"]!.GetValue<string>()));
        Assert.Equal("ops", updated["description"]!.GetValue<string>());
        Assert.True(retriggered["items"]![0]!["retriggered"]!.GetValue<bool>());
        Assert.Contains("evt_refund", again.BodyText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("unknown_app", 404, "app_id")]
    [InlineData("missing_app_id", 400, "app_id")]
    [InlineData("admin_without_target", 400, "account_ids")]
    [InlineData("both_account_forms", 400, "account_ids")]
    [InlineData("empty_account_ids", 400, "account_ids")]
    [InlineData("org_key_naming_an_outsider", 404, "account_ids[1]")]
    [InlineData("org_key_naming_another_org", 404, "org_id")]
    [InlineData("account_key_naming_another_account", 404, "account_ids[0]")]
    [InlineData("account_key_naming_an_org", 400, "org_id")]
    public async Task A_disconnect_that_names_the_wrong_thing_is_refused_and_changes_nothing(string scenario, int status, string source)
    {
        var org = await Server.CreateOrganizationAsync();
        var otherOrg = await Server.CreateOrganizationAsync("Other");
        var member = await Server.CreateAccountAsync("Member", org);
        var outsider = await Server.CreateAccountAsync("Outsider");
        using var app = await Server.CreateAppAsync();
        await Server.ConnectAsync(member, app.AppId);
        await Server.ConnectAsync(outsider, app.AppId);
        using var orgKey = await Server.KeyClientAsync(orgId: org);
        using var memberKey = await Server.KeyClientAsync(accountId: member);
        var (client, body) = scenario switch
        {
            "unknown_app" => (Server.Client, new JsonObject { ["app_id"] = "appid_missing", ["account_id"] = member }),
            "missing_app_id" => (Server.Client, new JsonObject { ["account_id"] = member }),
            "admin_without_target" => (Server.Client, new JsonObject { ["app_id"] = app.AppId }),
            "both_account_forms" => (Server.Client, new JsonObject { ["app_id"] = app.AppId, ["account_id"] = member, ["account_ids"] = PartnerKit.Ids(member) }),
            "empty_account_ids" => (orgKey, new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = new JsonArray() }),
            "org_key_naming_an_outsider" => (orgKey, new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(member, outsider) }),
            "org_key_naming_another_org" => (orgKey, new JsonObject { ["app_id"] = app.AppId, ["org_id"] = otherOrg }),
            "account_key_naming_another_account" => (memberKey, new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(outsider) }),
            "account_key_naming_an_org" => (memberKey, new JsonObject { ["app_id"] = app.AppId, ["org_id"] = org }),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        using var response = await client.PostAsync("/api/v1/connections/disconnect", HeraldTestServer.Json(body));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(source, error["source"]?.GetValue<string>());
        Assert.All(Items(await Server.GetAsync("/partner-api/v1/connections", app.Client)), c => Assert.Equal("ACTIVE", c!["status"]!.GetValue<string>()));
        Assert.Empty(Items(await Server.GetAsync("/api/v1/events?name=partner_connection.disconnected")));
    }
}
