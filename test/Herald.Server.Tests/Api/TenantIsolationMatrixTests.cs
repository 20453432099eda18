using System.Net;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;
using Herald.Server.Tests.Partners;
using Herald.Testing;

namespace Herald.Server.Tests.Api;

/// <summary>
/// Tenants A (account <c>a1</c> in organization A, with its webhook, event and delivery) and X (a partner app
/// connected to <c>a1</c>, with its webhook and delivery), and the other tenants that try to reach them.
/// </summary>
public sealed class IsolationFixture : IAsyncLifetime
{
    public HeraldTestServer Server { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public Targets Real { get; private set; } = null!;
    /// <summary>Ids that exist nowhere; the app id stays real, since apps are shared names every account may connect to.</summary>
    public Targets Missing => new("acct_missing00000000000000", "wh_missing00000000000000", "dlv_missing00000000000000", "evt_missing00000000000000", "wh_missingX0000000000000", "dlv_missingX0000000000000", Real.AppId);
    public TestApp AppX { get; private set; } = null!;
    public TestApp AppY { get; private set; } = null!;
    public HttpClient OwnerA1 { get; private set; } = null!;
    public HttpClient SiblingA2 { get; private set; } = null!;
    public HttpClient OtherOrg { get; private set; } = null!;
    public HttpClient WrongBearer { get; private set; } = null!;
    public HttpClient WrongBasic { get; private set; } = null!;

    /// <summary>Strings of tenant A or X that no other tenant may ever see (the organization id is added for non-siblings).</summary>
    public List<string> Secrets { get; } = [];

    public string OrgA { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await HeraldTestServer.StartAsync();
        Receiver = await WebhookReceiver.StartAsync();
        OrgA = await Server.CreateOrganizationAsync("Org A");
        var orgB = await Server.CreateOrganizationAsync("Org B");
        var a1 = await Server.CreateAccountAsync("Tenant A1 Ltd", OrgA);
        var a2 = await Server.CreateAccountAsync("Tenant A2 Ltd", OrgA);
        var b1 = await Server.CreateAccountAsync("Tenant B1 Ltd", orgB);
        OwnerA1 = await Server.KeyClientAsync(accountId: a1);
        SiblingA2 = await Server.KeyClientAsync(accountId: a2);
        OtherOrg = await Server.KeyClientAsync(orgId: orgB);
        AppX = await Server.CreateAppAsync("App X");
        AppY = await Server.CreateAppAsync("App Y");
        WrongBearer = PartnerKit.BearerClient(Server, "hk_" + new string('x', 43));
        WrongBasic = PartnerKit.BasicClient(Server, AppX.ClientId, "hcs_wrong");
        await Server.ConnectAsync(a1, AppX.AppId);
        await Server.ConnectAsync(b1, AppY.AppId);
        var whA1 = await Server.CreateWebhookAsync(a1, Receiver.Url("/a1"));
        var whX = await Server.CreatePartnerWebhookAsync(AppX, Receiver.Url("/x"));
        await Server.CreateWebhookAsync(a2, Receiver.Url("/a2"));
        await Server.CreateWebhookAsync(b1, Receiver.Url("/b1"));
        await Server.CreatePartnerWebhookAsync(AppY, Receiver.Url("/y"));
        await Server.PublishAsync(a1, id: "evt_tenant_a1_secret");
        await Server.PublishAsync(a2, id: "evt_tenant_a2");
        await Server.PublishAsync(b1, id: "evt_tenant_b1");
        await Receiver.WaitUntilAsync(r => r.Count == 5);
        var deliveries = await Server.DeliveriesAsync("?event_id=evt_tenant_a1_secret");
        foreach (var delivery in deliveries)
        {
            await Server.WaitForDeliveryAsync(delivery!["id"]!.GetValue<string>(), d => d["status"]!.GetValue<string>() == "success");
        }

        string DeliveryTo(JsonObject webhook) => deliveries.Single(d => d!["webhook_id"]!.GetValue<string>() == webhook["id"]!.GetValue<string>())!["id"]!.GetValue<string>();
        Real = new Targets(a1, whA1["id"]!.GetValue<string>(), DeliveryTo(whA1), "evt_tenant_a1_secret", whX["id"]!.GetValue<string>(), DeliveryTo(whX), AppX.AppId);
        Secrets.AddRange([a1, "Tenant A1 Ltd", Real.WebhookId, Real.DeliveryId, Real.EventId, Real.PartnerWebhookId, Real.PartnerDeliveryId, AppX.AppId, AppX.ClientId, AppX.ClientSecret,
            whA1["secret"]!.GetValue<string>(), whX["secret"]!.GetValue<string>(), Receiver.Url("/a1"), Receiver.Url("/x")]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { OwnerA1, SiblingA2, OtherOrg, WrongBearer, WrongBasic })
        {
            client.Dispose();
        }

        AppX.Dispose();
        AppY.Dispose();
        await Receiver.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>What tenant A and app X see of their own objects; a refused request must leave it unchanged.</summary>
    public async Task<string> OwnerViewAsync()
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/api/v1/webhooks", "/api/v1/deliveries", "/api/v1/events", "/api/v1/connections", $"/api/v1/webhooks/{Real.WebhookId}" })
        {
            parts.Add(await OwnerA1.GetStringAsync(path));
        }

        foreach (var path in new[] { "/partner-api/v1/webhooks", "/partner-api/v1/deliveries", "/partner-api/v1/connections" })
        {
            parts.Add(await AppX.Client.GetStringAsync(path));
        }

        return string.Join('\n', parts);
    }
}

/// <summary>The objects a route aims at: tenant A's and app X's real ones, or ids that exist nowhere.</summary>
public sealed record Targets(string AccountId, string WebhookId, string DeliveryId, string EventId, string PartnerWebhookId, string PartnerDeliveryId, string AppId)
{
    public IEnumerable<string> All => [AccountId, WebhookId, DeliveryId, EventId, PartnerWebhookId, PartnerDeliveryId, AppId];
}

public sealed class TenantIsolationMatrixTests(IsolationFixture fixture) : IClassFixture<IsolationFixture>
{
    private enum Kind
    {
        /// <summary>Names tenant A's or app X's object: another tenant of the same kind gets 404, as for a missing one.</summary>
        Targeted,

        /// <summary>Lists the caller's own objects: another tenant gets 200 and none of A's or X's.</summary>
        List,

        /// <summary>Operator only: everyone else gets 401.</summary>
        AdminOnly,

        /// <summary>Creates something of the caller's own: another app succeeds, for itself only.</summary>
        OwnCreate,
    }

    private sealed record Route(string Name, HttpMethod Method, bool Partner, Kind Kind, Func<Targets, string> Path, Func<Targets, JsonNode?>? Body = null, Func<Targets, string>? OwnerSees = null);

    private static readonly string[] Principals = ["other_account", "other_org", "other_app", "no_key", "wrong_key"];

    private static readonly Route[] Routes =
    [
        new("organizations.create", HttpMethod.Post, false, Kind.AdminOnly, _ => "/api/v1/organizations/create", _ => new JsonObject { ["name"] = "x" }),
        new("accounts.create", HttpMethod.Post, false, Kind.AdminOnly, _ => "/api/v1/accounts/create", _ => new JsonObject { ["name"] = "x" }),
        new("api_keys.create", HttpMethod.Post, false, Kind.AdminOnly, _ => "/api/v1/api_keys/create", t => new JsonObject { ["account_id"] = t.AccountId }),
        new("apps.create", HttpMethod.Post, false, Kind.AdminOnly, _ => "/api/v1/apps/create", _ => new JsonObject { ["name"] = "x" }),
        new("events.create", HttpMethod.Post, false, Kind.AdminOnly, _ => "/api/v1/events/create", t => new JsonObject { ["name"] = "refund.received", ["account_id"] = t.AccountId, ["data"] = new JsonObject { ["object"] = new JsonObject() } }),
        new("accounts.list", HttpMethod.Get, false, Kind.List, _ => "/api/v1/accounts", OwnerSees: t => t.AccountId),
        new("accounts.get", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/accounts/{t.AccountId}", OwnerSees: t => t.AccountId),
        new("webhooks.create", HttpMethod.Post, false, Kind.Targeted, _ => "/api/v1/webhooks/create", t => new JsonObject { ["account_id"] = t.AccountId, ["url"] = "http://127.0.0.1:9/new", ["all_events"] = true }),
        new("webhooks.list", HttpMethod.Get, false, Kind.List, _ => "/api/v1/webhooks", OwnerSees: t => t.WebhookId),
        new("webhooks.list_of_account", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/webhooks?account_id={t.AccountId}", OwnerSees: t => t.WebhookId),
        new("webhooks.get", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/webhooks/{t.WebhookId}", OwnerSees: t => t.WebhookId),
        new("webhooks.update", HttpMethod.Post, false, Kind.Targeted, t => $"/api/v1/webhooks/{t.WebhookId}/update", _ => new JsonObject { ["status"] = "DISABLED" }),
        new("webhooks.delete", HttpMethod.Post, false, Kind.Targeted, t => $"/api/v1/webhooks/{t.WebhookId}/delete", _ => new JsonObject()),
        new("webhooks.rotate_secret", HttpMethod.Post, false, Kind.Targeted, t => $"/api/v1/webhooks/{t.WebhookId}/rotate_secret", _ => new JsonObject { ["activate_after_seconds"] = 0 }),
        new("webhooks.test", HttpMethod.Post, false, Kind.Targeted, t => $"/api/v1/webhooks/{t.WebhookId}/test", _ => new JsonObject { ["name"] = "refund.received" }),
        new("events.list", HttpMethod.Get, false, Kind.List, _ => "/api/v1/events", OwnerSees: t => t.EventId),
        new("events.list_of_account", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/events?account_id={t.AccountId}", OwnerSees: t => t.EventId),
        new("events.get", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/events/{t.EventId}", OwnerSees: t => t.EventId),
        new("deliveries.list", HttpMethod.Get, false, Kind.List, _ => "/api/v1/deliveries", OwnerSees: t => t.DeliveryId),
        new("deliveries.get", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/deliveries/{t.DeliveryId}", OwnerSees: t => t.DeliveryId),
        new("deliveries.retrigger", HttpMethod.Post, false, Kind.Targeted, _ => "/api/v1/deliveries/retrigger", t => new JsonObject { ["ids"] = PartnerKit.Ids(t.DeliveryId) }),
        new("connections.list", HttpMethod.Get, false, Kind.List, _ => "/api/v1/connections", OwnerSees: t => t.AppId),
        new("connections.list_of_account", HttpMethod.Get, false, Kind.Targeted, t => $"/api/v1/connections?account_id={t.AccountId}", OwnerSees: t => t.AppId),
        new("connections.create", HttpMethod.Post, false, Kind.Targeted, _ => "/api/v1/connections/create", t => new JsonObject { ["app_id"] = t.AppId, ["account_id"] = t.AccountId }),
        new("connections.disconnect", HttpMethod.Post, false, Kind.Targeted, _ => "/api/v1/connections/disconnect", t => new JsonObject { ["app_id"] = t.AppId, ["account_ids"] = PartnerKit.Ids(t.AccountId) }),
        new("partner.webhooks.create", HttpMethod.Post, true, Kind.OwnCreate, _ => "/partner-api/v1/webhooks/create", _ => new JsonObject { ["url"] = "http://127.0.0.1:9/partner-new", ["events"] = PartnerKit.Ids("refund.failed") }),
        new("partner.webhooks.list", HttpMethod.Get, true, Kind.List, _ => "/partner-api/v1/webhooks", OwnerSees: t => t.PartnerWebhookId),
        new("partner.webhooks.get", HttpMethod.Get, true, Kind.Targeted, t => $"/partner-api/v1/webhooks/{t.PartnerWebhookId}", OwnerSees: t => t.PartnerWebhookId),
        new("partner.webhooks.update", HttpMethod.Post, true, Kind.Targeted, t => $"/partner-api/v1/webhooks/{t.PartnerWebhookId}/update", _ => new JsonObject { ["status"] = "DISABLED" }),
        new("partner.webhooks.delete", HttpMethod.Post, true, Kind.Targeted, t => $"/partner-api/v1/webhooks/{t.PartnerWebhookId}/delete", _ => new JsonObject()),
        new("partner.connections.list", HttpMethod.Get, true, Kind.List, _ => "/partner-api/v1/connections", OwnerSees: t => t.AccountId),
        new("partner.connections.list_of_account", HttpMethod.Get, true, Kind.List, t => $"/partner-api/v1/connections?account_id={t.AccountId}", OwnerSees: t => t.AccountId),
        new("partner.deliveries.list", HttpMethod.Get, true, Kind.List, _ => "/partner-api/v1/deliveries", OwnerSees: t => t.PartnerDeliveryId),
        new("partner.deliveries.get", HttpMethod.Get, true, Kind.Targeted, t => $"/partner-api/v1/deliveries/{t.PartnerDeliveryId}", OwnerSees: t => t.PartnerDeliveryId),
        new("partner.deliveries.retrigger", HttpMethod.Post, true, Kind.Targeted, _ => "/partner-api/v1/deliveries/retrigger", t => new JsonObject { ["ids"] = PartnerKit.Ids(t.PartnerDeliveryId) }),
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in Routes)
        {
            foreach (var principal in Principals)
            {
                data.Add(route.Name, principal);
            }

            if (route.OwnerSees is not null)
            {
                data.Add(route.Name, "owner");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Another_tenant_is_refused_and_sees_nothing_of_tenant_A_or_app_X(string routeName, string principal)
    {
        var route = Routes.Single(r => r.Name == routeName);
        var client = ClientFor(principal, route.Partner);
        var before = route.Method == HttpMethod.Post ? await fixture.OwnerViewAsync() : null;

        var (status, body) = await SendAsync(client, route, fixture.Real);

        if (principal == "owner")
        {
            // The positive control: the same request from the owner works and shows what the others must not see.
            Assert.Equal(200, status);
            Assert.Contains(route.OwnerSees!(fixture.Real), body, StringComparison.Ordinal);
            return;
        }

        var expected = Expected(route, principal);
        Assert.True(expected == status, $"{route.Method} {route.Path(fixture.Real)} as {principal}: expected {expected}, got {status}: {body}");
        if (status == 404)
        {
            // Indistinguishable from a missing object: same answer, once the ids the caller itself sent are set aside.
            var (missingStatus, missingBody) = await SendAsync(client, route, fixture.Missing);
            Assert.Equal(404, missingStatus);
            Assert.Equal(Normalize(missingBody, fixture.Missing), Normalize(body, fixture.Real));
            body = Normalize(body, fixture.Real);
        }

        foreach (var secret in SecretsFor(principal))
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }

        if (before is not null)
        {
            Assert.Equal(before, await fixture.OwnerViewAsync());
        }
    }

    private static int Expected(Route route, string principal) => (route.Kind, principal) switch
    {
        (_, "no_key" or "wrong_key") => 401,
        (Kind.AdminOnly, _) => 401,
        (_, "other_app") when !route.Partner => 401,
        (_, "other_account" or "other_org") when route.Partner => 401,
        (Kind.Targeted, _) => 404,
        (Kind.List, _) => 200,
        (Kind.OwnCreate, _) => 201,
        _ => throw new InvalidOperationException($"No expectation for {route.Name} as {principal}."),
    };

    private HttpClient ClientFor(string principal, bool partnerRoute) => principal switch
    {
        "owner" => partnerRoute ? fixture.AppX.Client : fixture.OwnerA1,
        "other_account" => fixture.SiblingA2,
        "other_org" => fixture.OtherOrg,
        "other_app" => fixture.AppY.Client,
        "no_key" => fixture.Server.Anonymous,
        "wrong_key" => partnerRoute ? fixture.WrongBasic : fixture.WrongBearer,
        _ => throw new ArgumentOutOfRangeException(nameof(principal)),
    };

    /// <summary>The sibling account legitimately sees its own organization's id; nobody else may.</summary>
    private List<string> SecretsFor(string principal) => principal == "other_account" ? fixture.Secrets : [.. fixture.Secrets, fixture.OrgA];

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, Route route, Targets targets)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path(targets));
        if (route.Body?.Invoke(targets) is { } body)
        {
            request.Content = HeraldTestServer.Json(body);
        }

        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Normalize(string body, Targets targets) =>
        targets.All.Aggregate(body, (text, id) => text.Replace(id, "<id>", StringComparison.Ordinal));
}
