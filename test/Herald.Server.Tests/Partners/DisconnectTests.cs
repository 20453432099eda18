using System.Net;
using System.Text.Json.Nodes;
using Herald.Contracts.Signing;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Partners;

/// <summary>The seed's partner_connection.disconnected document, end to end over real HTTP.</summary>
public sealed class DisconnectTests : ServerWithReceiverTest
{
    private IEnumerable<ReceivedRequest> At(string path) => Receiver.Requests.Where(r => r.Path == path);

    private async Task<JsonArray> PartnerEventsAsync() =>
        (await Server.GetAsync("/api/v1/events?name=partner_connection.disconnected"))["items"]!.AsArray();

    [Fact]
    public async Task The_seed_example_an_organization_admin_disconnects_two_accounts_and_the_app_gets_one_signed_event()
    {
        var org = await Server.CreateOrganizationAsync();
        var first = await Server.CreateAccountAsync("First", org);
        var second = await Server.CreateAccountAsync("Second", org);
        using var orgAdmin = await Server.KeyClientAsync(orgId: org);
        using var app = await Server.CreateAppAsync();
        await Server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = first }, orgAdmin);
        await Server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = second }, orgAdmin);
        var partnerHook = await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"));
        var secret = partnerHook["secret"]!.GetValue<string>();
        await Server.CreateWebhookAsync(first, Receiver.Url("/first"), "payment_intent.succeeded");
        await Server.CreateWebhookAsync(second, Receiver.Url("/second"), "payment_intent.succeeded");

        // Partner-level delivery: one app subscription receives the connected account's event, account_id and all.
        await Server.PublishAsync(first, id: "evt_before_disconnect");
        await Receiver.WaitUntilAsync(r => r.Any(x => x.Path == "/partner") && r.Any(x => x.Path == "/first"));
        var before = At("/partner").Single();
        Assert.Contains($"\"account_id\":\"{first}\"", before.BodyText, StringComparison.Ordinal);
        Assert.True(WebhookSignature.IsValid(secret, before.Header("x-timestamp")!, before.Body, before.Header("x-signature")));

        var result = await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, orgAdmin);
        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/partner") == 2);
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
        await Server.PublishAsync(first, id: "evt_after_first");
        await Server.PublishAsync(second, id: "evt_after_second");
        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/first") == 2 && r.Any(x => x.Path == "/second"));
        await Server.WaitForIdleAsync(); // every delivery ever due has been made: a wrong one to the app would be among them
        Assert.Equal(2, At("/partner").Count());
        Assert.Empty(await Server.DeliveriesAsync($"?event_id=evt_after_first&webhook_id={partnerHook["id"]}"));
        Assert.Empty(await Server.DeliveriesAsync($"?event_id=evt_after_second&webhook_id={partnerHook["id"]}"));
        Assert.All(PartnerKit.Strings((await Server.GetAsync("/partner-api/v1/connections", app.Client))["items"]!.AsArray().Select(c => c!["status"]).ToJsonArray()),
            status => Assert.Equal("DISCONNECTED", status));

        // Disconnecting again changes nothing and emits nothing.
        var again = await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, orgAdmin);
        Assert.Empty(again["account_ids"]!.AsArray());
        Assert.Null(again["event_id"]);
        Assert.Single(await PartnerEventsAsync());
    }

    [Fact]
    public async Task A_batch_disconnect_of_accounts_without_an_organization_emits_one_event_with_every_id_and_no_org_id()
    {
        using var app = await Server.CreateAppAsync();
        var accounts = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            accounts.Add(await Server.CreateAccountAsync($"Shop {i}"));
            await Server.ConnectAsync(accounts[i], app.AppId);
        }

        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "partner_connection.disconnected");
        var batch = new[] { accounts[2], accounts[0], accounts[1] };

        var result = await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(batch) });
        var received = await Receiver.NextAsync();
        await Server.WaitForIdleAsync();

        var data = JsonNode.Parse(received.BodyText)!["data"]!.AsObject();
        Assert.Single(Receiver.Requests);
        Assert.Equal(batch, PartnerKit.Strings(data["account_ids"]));
        Assert.False(data.ContainsKey("org_id"));
        Assert.Equal("user_initiated", data["reason"]!.GetValue<string>());
        Assert.Null(result["org_id"]);
        Assert.Single(await PartnerEventsAsync());
        var connections = (await Server.GetAsync("/partner-api/v1/connections", app.Client))["items"]!.AsArray();
        Assert.Equal("ACTIVE", connections.Single(c => c!["account_id"]!.GetValue<string>() == accounts[3])!["status"]!.GetValue<string>());
        Assert.Equal(3, connections.Count(c => c!["status"]!.GetValue<string>() == "DISCONNECTED"));
    }

    [Fact]
    public async Task An_account_owner_disconnecting_an_account_that_belongs_to_an_organization_sends_no_org_id()
    {
        var org = await Server.CreateOrganizationAsync();
        var account = await Server.CreateAccountAsync("Member", org);
        using var owner = await Server.KeyClientAsync(accountId: account);
        using var app = await Server.CreateAppAsync();
        await Server.PostAsync("/api/v1/connections/create", new JsonObject { ["app_id"] = app.AppId }, owner);
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "partner_connection.disconnected");

        await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, owner);
        var data = JsonNode.Parse((await Receiver.NextAsync()).BodyText)!["data"]!.AsObject();

        Assert.Equal([account], PartnerKit.Strings(data["account_ids"]));
        Assert.False(data.ContainsKey("org_id"));
    }

    [Fact]
    public async Task An_organization_key_naming_some_of_its_accounts_disconnects_only_those_and_names_the_organization()
    {
        var org = await Server.CreateOrganizationAsync();
        var named = await Server.CreateAccountAsync("Named", org);
        var kept = await Server.CreateAccountAsync("Kept", org);
        using var orgAdmin = await Server.KeyClientAsync(orgId: org);
        using var app = await Server.CreateAppAsync();
        await Server.ConnectAsync(named, app.AppId);
        await Server.ConnectAsync(kept, app.AppId);
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"));

        await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_ids"] = PartnerKit.Ids(named) }, orgAdmin);
        var data = JsonNode.Parse((await Receiver.NextAsync()).BodyText)!["data"]!;
        await Server.PublishAsync(kept, id: "evt_kept");
        var keptEvent = await Receiver.NextAsync();

        Assert.Equal([named], PartnerKit.Strings(data["account_ids"]));
        Assert.Equal(org, data["org_id"]!.GetValue<string>());
        Assert.Contains("evt_kept", keptEvent.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_disconnects_of_the_same_pair_emit_exactly_one_event()
    {
        var account = await Server.CreateAccountAsync();
        using var owner = await Server.KeyClientAsync(accountId: account);
        using var app = await Server.CreateAppAsync();
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "partner_connection.disconnected");

        const int rounds = 3;
        for (var round = 1; round <= rounds; round++)
        {
            await Server.ConnectAsync(account, app.AppId);
            using var start = new SemaphoreSlim(0);
            var requests = Enumerable.Range(0, 12).Select(async i =>
            {
                await start.WaitAsync();
                var client = i % 2 == 0 ? owner : Server.Client;
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

        await Receiver.WaitUntilAsync(r => r.Count >= rounds);
        await Server.WaitForIdleAsync();
        Assert.Equal(rounds, Receiver.Requests.Count);
    }

    [Fact]
    public async Task Concurrent_organization_and_account_disconnects_report_each_account_in_exactly_one_event()
    {
        var org = await Server.CreateOrganizationAsync();
        var accounts = new List<string>();
        using var app = await Server.CreateAppAsync();
        for (var i = 0; i < 3; i++)
        {
            accounts.Add(await Server.CreateAccountAsync($"Member {i}", org));
            await Server.ConnectAsync(accounts[i], app.AppId);
        }

        using var orgAdmin = await Server.KeyClientAsync(orgId: org);
        var owners = new List<HttpClient>();
        foreach (var account in accounts)
        {
            owners.Add(await Server.KeyClientAsync(accountId: account));
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
        var gone = await Server.CreateAccountAsync("Gone");
        var stays = await Server.CreateAccountAsync("Stays");
        using var app = await Server.CreateAppAsync();
        await Server.ConnectAsync(gone, app.AppId);
        await Server.ConnectAsync(stays, app.AppId);
        Receiver.Respond = r => r.Path == "/partner" ? new ReceiverResponse(503) : ReceiverResponse.Ok;
        await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"));
        await Server.CreateWebhookAsync(gone, Receiver.Url("/gone"), "refund.received");
        await Server.PublishAsync(gone, "refund.received", id: "evt_gone");
        await Server.PublishAsync(stays, "refund.received", id: "evt_stays");
        await Receiver.WaitUntilAsync(r => r.Count(x => x.Path == "/partner") == 2 && r.Any(x => x.Path == "/gone"));
        var partnerDeliveries = (await Server.GetAsync("/partner-api/v1/deliveries", app.Client))["items"]!.AsArray();
        var goneDelivery = partnerDeliveries.Single(d => d!["event_id"]!.GetValue<string>() == "evt_gone")!["id"]!.GetValue<string>();
        var staysDelivery = partnerDeliveries.Single(d => d!["event_id"]!.GetValue<string>() == "evt_stays")!["id"]!.GetValue<string>();
        await Server.WaitForDeliveryAsync(goneDelivery, d => d["attempt_count"]!.GetValue<int>() == 1);
        await Server.WaitForDeliveryAsync(staysDelivery, d => d["attempt_count"]!.GetValue<int>() == 1);

        await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = gone });
        Server.Advance(TimeSpan.FromMinutes(10));
        await Server.WaitForDeliveryAsync(staysDelivery, d => d["attempt_count"]!.GetValue<int>() >= 2);

        Assert.Equal("cancelled", (await Server.GetAsync($"/partner-api/v1/deliveries/{goneDelivery}", app.Client))["status"]!.GetValue<string>());
        Assert.Equal("queued", (await Server.GetAsync($"/partner-api/v1/deliveries/{staysDelivery}", app.Client))["status"]!.GetValue<string>());
        Assert.Single(Receiver.Requests, r => r.Path == "/partner" && r.BodyText.Contains("evt_gone", StringComparison.Ordinal));
        Assert.Equal("success", (await Server.DeliveriesAsync("?event_id=evt_gone&status=success")).Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_partner_event_is_retried_with_the_same_signed_bytes_until_the_app_answers_200()
    {
        var account = await Server.CreateAccountAsync();
        using var app = await Server.CreateAppAsync();
        await Server.ConnectAsync(account, app.AppId);
        var hook = await Server.CreatePartnerWebhookAsync(app, Receiver.Url("/partner"), "partner_connection.disconnected");
        var calls = 0;
        Receiver.Respond = _ => Interlocked.Increment(ref calls) == 1 ? new ReceiverResponse(500) : ReceiverResponse.Ok;

        var result = await Server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId, ["account_id"] = account });
        var first = await Receiver.NextAsync();
        var delivery = (await Server.GetAsync($"/partner-api/v1/deliveries?event_id={result["event_id"]}", app.Client))["items"]!.AsArray().Single()!;
        await Server.WaitForDeliveryAsync(delivery["id"]!.GetValue<string>(), d => d["attempt_count"]!.GetValue<int>() == 1);
        Server.Advance(TimeSpan.FromSeconds(7));
        var second = await Receiver.NextAsync();
        var done = await Server.WaitForDeliveryAsync(delivery["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");

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
