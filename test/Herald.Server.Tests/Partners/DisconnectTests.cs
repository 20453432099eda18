using System.Net;
using System.Text.Json.Nodes;
using Herald.Contracts.Signing;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Partners;

/// <summary>The seed's partner_connection.disconnected document, end to end over real HTTP.</summary>
public sealed class DisconnectTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HeraldTestServer.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IEnumerable<ReceivedRequest> At(string path) => _receiver.Requests.Where(r => r.Path == path);

    private async Task<JsonArray> PartnerEventsAsync() =>
        (await _server.GetAsync("/api/v1/events?name=partner_connection.disconnected"))["items"]!.AsArray();

    [Fact]
    public async Task The_seed_example_an_organization_admin_disconnects_two_accounts_and_the_app_gets_one_signed_event()
    {
        var org = await _server.CreateOrganizationAsync();
        var first = await _server.CreateAccountAsync("First", org);
        var second = await _server.CreateAccountAsync("Second", org);
        using var orgAdmin = await _server.KeyClientAsync(orgId: org);
        using var app = await _server.CreateAppAsync();
        await _server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = first }, orgAdmin);
        await _server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = second }, orgAdmin);
        var partnerHook = await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"));
        var secret = partnerHook["secret"]!.GetValue<string>();
        await _server.CreateWebhookAsync(first, _receiver.Url("/first"), "payment_intent.succeeded");
        await _server.CreateWebhookAsync(second, _receiver.Url("/second"), "payment_intent.succeeded");

        // Partner-level delivery: one app subscription receives the connected account's event, account_id and all.
        await _server.PublishAsync(first, id: "evt_before_disconnect");
        await _receiver.WaitUntilAsync(r => r.Any(x => x.Path == "/partner") && r.Any(x => x.Path == "/first"));
        var before = At("/partner").Single();
        Assert.Contains($"\"account_id\":\"{first}\"", before.BodyText, StringComparison.Ordinal);
        Assert.True(WebhookSignature.IsValid(secret, before.Header("x-timestamp")!, before.Body, before.Header("x-signature")));

        var result = await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, orgAdmin);
        await _receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/partner") == 2);
        var received = At("/partner").Single(r => r.BodyText.Contains("partner_connection.disconnected", StringComparison.Ordinal));

        var ids = new[] { first, second }.Order(StringComparer.Ordinal).ToArray();
        var eventId = result["event_id"]!.GetValue<string>();
        Assert.Equal(ids, PartnerKit.Strings(result["account_ids"]));
        Assert.Equal(org, result["org_id"]!.GetValue<string>());
        Assert.Equal(
            $"{{\"id\":\"{eventId}\",\"name\":\"partner_connection.disconnected\",\"app_id\":\"{app.AppId}\",\"data\":{{\"account_ids\":[\"{ids[0]}\",\"{ids[1]}\"],\"org_id\":\"{org}\",\"reason\":\"user_initiated\"}},\"created_at\":\"2026-05-20T13:54:20+0000\",\"version\":\"2026-02-27\"}}",
            received.BodyText);
        Assert.True(WebhookSignature.IsValid(secret, received.Header("x-timestamp")!, received.Body, received.Header("x-signature")));

        // Later events of either account reach their own webhooks and never the app.
        await _server.PublishAsync(first, id: "evt_after_first");
        await _server.PublishAsync(second, id: "evt_after_second");
        await _receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/first") == 2 && r.Any(x => x.Path == "/second"));
        await Task.Delay(300); // room for a wrong delivery to the app to show up
        Assert.Equal(2, At("/partner").Count());
        Assert.Empty(await _server.DeliveriesAsync($"?event_id=evt_after_first&webhook_id={partnerHook["id"]}"));
        Assert.Empty(await _server.DeliveriesAsync($"?event_id=evt_after_second&webhook_id={partnerHook["id"]}"));
        Assert.All(PartnerKit.Strings((await _server.GetAsync("/partner-api/v1/connections", app.Client))["items"]!.AsArray().Select(c => c!["status"]).ToJsonArray()),
            status => Assert.Equal("DISCONNECTED", status));

        // Disconnecting again changes nothing and emits nothing.
        var again = await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, orgAdmin);
        Assert.Empty(again["account_ids"]!.AsArray());
        Assert.Null(again["event_id"]);
        Assert.Single(await PartnerEventsAsync());
    }

    [Fact]
    public async Task A_batch_disconnect_of_accounts_without_an_organization_emits_one_event_with_every_id_and_no_org_id()
    {
        using var app = await _server.CreateAppAsync();
        var accounts = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            accounts.Add(await _server.CreateAccountAsync($"Shop {i}"));
            await _server.ConnectAsync(accounts[i], app.AppId);
        }

        await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"), "partner_connection.disconnected");
        var batch = new[] { accounts[2], accounts[0], accounts[1] };

        var result = await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(batch) });
        var received = await _receiver.NextAsync();
        await Task.Delay(200);

        var data = JsonNode.Parse(received.BodyText)!["data"]!.AsObject();
        Assert.Single(_receiver.Requests);
        Assert.Equal(batch, PartnerKit.Strings(data["account_ids"]));
        Assert.False(data.ContainsKey("org_id"));
        Assert.Equal("user_initiated", data["reason"]!.GetValue<string>());
        Assert.Null(result["org_id"]);
        Assert.Single(await PartnerEventsAsync());
        var connections = (await _server.GetAsync("/partner-api/v1/connections", app.Client))["items"]!.AsArray();
        Assert.Equal("ACTIVE", connections.Single(c => c!["account_id"]!.GetValue<string>() == accounts[3])!["status"]!.GetValue<string>());
        Assert.Equal(3, connections.Count(c => c!["status"]!.GetValue<string>() == "DISCONNECTED"));
    }

    [Fact]
    public async Task An_account_owner_disconnecting_an_account_that_belongs_to_an_organization_sends_no_org_id()
    {
        var org = await _server.CreateOrganizationAsync();
        var account = await _server.CreateAccountAsync("Member", org);
        using var owner = await _server.KeyClientAsync(accountId: account);
        using var app = await _server.CreateAppAsync();
        await _server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId }, owner);
        await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"), "partner_connection.disconnected");

        await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, owner);
        var data = JsonNode.Parse((await _receiver.NextAsync()).BodyText)!["data"]!.AsObject();

        Assert.Equal([account], PartnerKit.Strings(data["account_ids"]));
        Assert.False(data.ContainsKey("org_id"));
    }

    [Fact]
    public async Task An_organization_key_naming_some_of_its_accounts_disconnects_only_those_and_names_the_organization()
    {
        var org = await _server.CreateOrganizationAsync();
        var named = await _server.CreateAccountAsync("Named", org);
        var kept = await _server.CreateAccountAsync("Kept", org);
        using var orgAdmin = await _server.KeyClientAsync(orgId: org);
        using var app = await _server.CreateAppAsync();
        await _server.ConnectAsync(named, app.AppId);
        await _server.ConnectAsync(kept, app.AppId);
        await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"));

        await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(named) }, orgAdmin);
        var data = JsonNode.Parse((await _receiver.NextAsync()).BodyText)!["data"]!;
        await _server.PublishAsync(kept, id: "evt_kept");
        var keptEvent = await _receiver.NextAsync();

        Assert.Equal([named], PartnerKit.Strings(data["account_ids"]));
        Assert.Equal(org, data["org_id"]!.GetValue<string>());
        Assert.Contains("evt_kept", keptEvent.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_disconnects_of_the_same_pair_emit_exactly_one_event()
    {
        var account = await _server.CreateAccountAsync();
        using var owner = await _server.KeyClientAsync(accountId: account);
        using var app = await _server.CreateAppAsync();
        await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"), "partner_connection.disconnected");

        const int rounds = 3;
        for (var round = 1; round <= rounds; round++)
        {
            await _server.ConnectAsync(account, app.AppId);
            using var start = new SemaphoreSlim(0);
            var requests = Enumerable.Range(0, 12).Select(async i =>
            {
                await start.WaitAsync();
                var client = i % 2 == 0 ? owner : _server.Client;
                using var response = await client.PostAsync("/api/v1/connections/disconnect", HeraldTestServer.Json(new JsonObject
                {
                    ["app_id"] = app.AppId,
                    ["account_ids"] = PartnerKit.Ids(account),
                }));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            }).ToList();
            start.Release(requests.Count);
            var results = await Task.WhenAll(requests);

            Assert.Single(results, r => r["event_id"] is not null);
            Assert.Equal(round, (await PartnerEventsAsync()).Count);
        }

        await _receiver.WaitUntilAsync(r => r.Count >= rounds);
        await Task.Delay(200);
        Assert.Equal(rounds, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Concurrent_organization_and_account_disconnects_report_each_account_in_exactly_one_event()
    {
        var org = await _server.CreateOrganizationAsync();
        var accounts = new List<string>();
        using var app = await _server.CreateAppAsync();
        for (var i = 0; i < 3; i++)
        {
            accounts.Add(await _server.CreateAccountAsync($"Member {i}", org));
            await _server.ConnectAsync(accounts[i], app.AppId);
        }

        using var orgAdmin = await _server.KeyClientAsync(orgId: org);
        var owners = new List<HttpClient>();
        foreach (var account in accounts)
        {
            owners.Add(await _server.KeyClientAsync(accountId: account));
        }

        var calls = owners.Concat([orgAdmin, orgAdmin, orgAdmin])
            .Select(client => client.PostAsync("/api/v1/connections/disconnect", HeraldTestServer.Json(new JsonObject { ["app_id"] = app.AppId })))
            .ToList();
        foreach (var response in await Task.WhenAll(calls))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        var reported = (await PartnerEventsAsync()).SelectMany(e => PartnerKit.Strings(e!["data"]!["account_ids"])).ToList();
        Assert.Equal(accounts.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
        owners.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Disconnecting_cancels_the_apps_queued_deliveries_of_those_accounts_and_nothing_else()
    {
        var gone = await _server.CreateAccountAsync("Gone");
        var stays = await _server.CreateAccountAsync("Stays");
        using var app = await _server.CreateAppAsync();
        await _server.ConnectAsync(gone, app.AppId);
        await _server.ConnectAsync(stays, app.AppId);
        _receiver.Respond = r => r.Path == "/partner" ? new ReceiverResponse(503) : ReceiverResponse.Ok;
        await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"));
        await _server.CreateWebhookAsync(gone, _receiver.Url("/gone"), "refund.received");
        await _server.PublishAsync(gone, "refund.received", id: "evt_gone");
        await _server.PublishAsync(stays, "refund.received", id: "evt_stays");
        await _receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/partner") == 2 && r.Any(x => x.Path == "/gone"));
        var partnerDeliveries = (await _server.GetAsync("/partner-api/v1/deliveries", app.Client))["items"]!.AsArray();
        var goneDelivery = partnerDeliveries.Single(d => d!["event_id"]!.GetValue<string>() == "evt_gone")!["id"]!.GetValue<string>();
        var staysDelivery = partnerDeliveries.Single(d => d!["event_id"]!.GetValue<string>() == "evt_stays")!["id"]!.GetValue<string>();
        await _server.WaitForDeliveryAsync(goneDelivery, d => d["attempt_count"]!.GetValue<int>() == 1);
        await _server.WaitForDeliveryAsync(staysDelivery, d => d["attempt_count"]!.GetValue<int>() == 1);

        await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = gone });
        _server.Advance(TimeSpan.FromMinutes(10));
        await _server.WaitForDeliveryAsync(staysDelivery, d => d["attempt_count"]!.GetValue<int>() >= 2);

        Assert.Equal("cancelled", (await _server.GetAsync($"/partner-api/v1/deliveries/{goneDelivery}", app.Client))["status"]!.GetValue<string>());
        Assert.Equal("queued", (await _server.GetAsync($"/partner-api/v1/deliveries/{staysDelivery}", app.Client))["status"]!.GetValue<string>());
        Assert.Single(_receiver.Requests, r => r.Path == "/partner" && r.BodyText.Contains("evt_gone", StringComparison.Ordinal));
        Assert.Equal("success", (await _server.DeliveriesAsync("?event_id=evt_gone&status=success")).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_partner_event_is_retried_with_the_same_signed_bytes_until_the_app_answers_200()
    {
        var account = await _server.CreateAccountAsync();
        using var app = await _server.CreateAppAsync();
        await _server.ConnectAsync(account, app.AppId);
        var hook = await _server.CreatePartnerWebhookAsync(app, _receiver.Url("/partner"), "partner_connection.disconnected");
        var calls = 0;
        _receiver.Respond = _ => Interlocked.Increment(ref calls) == 1 ? new ReceiverResponse(500) : ReceiverResponse.Ok;

        var result = await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = account });
        var first = await _receiver.NextAsync();
        var delivery = (await _server.GetAsync($"/partner-api/v1/deliveries?event_id={result["event_id"]}", app.Client))["items"]!.AsArray().Single()!;
        await _server.WaitForDeliveryAsync(delivery["id"]!.GetValue<string>(), d => d["attempt_count"]!.GetValue<int>() == 1);
        _server.Advance(TimeSpan.FromSeconds(7));
        var second = await _receiver.NextAsync();
        var done = await _server.WaitForDeliveryAsync(delivery["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");

        var secret = hook["secret"]!.GetValue<string>();
        Assert.Equal(first.Body, second.Body);
        Assert.True(WebhookSignature.IsValid(secret, first.Header("x-timestamp")!, first.Body, first.Header("x-signature")));
        Assert.True(WebhookSignature.IsValid(secret, second.Header("x-timestamp")!, second.Body, second.Header("x-signature")));
        Assert.NotEqual(first.Header("x-timestamp"), second.Header("x-timestamp"));
        Assert.Equal(2, done["attempt_count"]!.GetValue<int>());
    }
}

internal static class JsonNodeSequenceExtensions
{
    public static JsonArray ToJsonArray(this IEnumerable<JsonNode?> nodes) => new([.. nodes.Select(n => n?.DeepClone())]);
}
