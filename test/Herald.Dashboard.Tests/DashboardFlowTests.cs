using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Herald.Dashboard.Tests.Support;
using Herald.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Herald.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser against a real server and a real receiver on 127.0.0.1: what an operator does to
/// find a failing endpoint, fix it and retrigger, and what an account does to disconnect a partner app.
/// </summary>
public sealed class DashboardFlowTests : IAsyncLifetime
{
    private DashboardServer _server = null!;
    private WebhookReceiver _receiver = null!;
    private Browser _browser = null!;

    private IPage Page => _browser.Page;

    public async ValueTask InitializeAsync()
    {
        _server = await DashboardServer.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _browser = await Browser.LaunchAsync(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>axe-core's rules on the page as it is now: no serious or critical violation (labels, contrast, roles, names).</summary>
    private async Task AssertAccessibleAsync(string where)
    {
        var result = await Page.RunAxe();
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"{where}: {string.Join(" | ", serious)}");
    }

    [Fact]
    public async Task An_operator_sees_a_failed_attempt_fixes_the_endpoint_retriggers_and_disconnects_an_app()
    {
        var account = await _server.PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = "Acme Ltd" });
        var accountId = account["id"]!.GetValue<string>();
        var app = await _server.PostAsync("/api/v1/apps/create", new JsonObject { ["name"] = "Ledger Sync" });
        var appId = app["app_id"]!.GetValue<string>();
        _receiver.Respond = _ => new ReceiverResponse(500, "receiver is down for maintenance");

        // Sign in with the admin key.
        await Page.GotoAsync("/");
        await AssertAccessibleAsync("sign-in page");
        await Page.GetByLabel("API key").FillAsync(DashboardServer.AdminKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("who")).ToHaveTextAsync("Admin key · every account");

        // Create a webhook to the receiver, subscribed to one event type.
        await Page.GetByRole(AriaRole.Button, new() { Name = "New webhook" }).ClickAsync();
        await Page.Locator("#new-webhook").GetByLabel("Account").SelectOptionAsync(accountId);
        await Page.GetByLabel("Endpoint URL").FillAsync(_receiver.Url("/hooks/acme"));
        await Page.GetByLabel("Description").FillAsync("Acme payments service");
        await Page.GetByLabel("payment_intent.succeeded", new() { Exact = true }).CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(Page.GetByTestId("secret")).ToHaveTextAsync(new Regex("^whsec_"));
        await _browser.ScreenshotAsync("01-webhook-created");
        await AssertAccessibleAsync("webhooks page");

        // An event is published (by the operator's services, through the API); the receiver answers 500.
        await _server.PostAsync("/api/v1/events/create", new JsonObject
        {
            ["id"] = "evt_dashboard_1",
            ["name"] = "payment_intent.succeeded",
            ["account_id"] = accountId,
            ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "int_1", ["amount"] = 10.5, ["currency"] = "USD" } },
        });
        var failing = await _server.WaitForDeliveryAsync("?event_id=evt_dashboard_1", d => d["attempt_count"]!.GetValue<int>() == 1);

        // The deliveries page shows it with its status code; the delivery page shows the attempt and the body.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Deliveries", Exact = true }).ClickAsync();
        var row = Page.Locator($"tr[data-delivery='{failing["id"]}']");
        await Expect(row).ToContainTextAsync("payment_intent.succeeded");
        await Expect(row).ToContainTextAsync("500");
        await _browser.ScreenshotAsync("02-deliveries-with-failure");
        await AssertAccessibleAsync("deliveries page");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(Page.Locator("tr[data-attempt='1']").GetByTestId("attempt-status")).ToHaveTextAsync("500");
        await Page.Locator("tr[data-attempt='1'] summary").ClickAsync();
        await Expect(Page.Locator("tr[data-attempt='1']")).ToContainTextAsync("receiver is down for maintenance");
        await _browser.ScreenshotAsync("03-failed-attempt");

        // The endpoint is fixed; a retrigger delivers it.
        _receiver.Respond = _ => ReceiverResponse.Ok;
        await Page.GetByRole(AriaRole.Button, new() { Name = "Retrigger" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Queued again");
        await _server.WaitForDeliveryAsync("?event_id=evt_dashboard_1", d => d["status"]!.GetValue<string>() == "success");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(Page.GetByTestId("delivery-status")).ToHaveTextAsync("success");
        await Expect(Page.Locator("tr[data-attempt='2']").GetByTestId("attempt-status")).ToHaveTextAsync("200");
        await Expect(Page.Locator("main")).ToContainTextAsync("retriggered");
        await _browser.ScreenshotAsync("04-retriggered-success");
        await AssertAccessibleAsync("delivery page");
        Assert.Equal(2, _receiver.Requests.Count(r => r.Path == "/hooks/acme"));

        // Authorize a partner app for the account, then disconnect it from the authorization settings page.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Authorized apps" }).ClickAsync();
        await Page.GetByLabel("App id").FillAsync(appId);
        await Page.Locator("form").Filter(new() { Has = Page.GetByLabel("App id") }).GetByLabel("Account").SelectOptionAsync(accountId);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Authorize app" }).ClickAsync();
        var connection = Page.Locator($"tr[data-app='{appId}'][data-account='{accountId}']");
        await Expect(connection).ToContainTextAsync("Ledger Sync");
        await Expect(connection).ToContainTextAsync("active");
        await _browser.ScreenshotAsync("05-authorized-app");
        await connection.GetByRole(AriaRole.Button, new() { Name = "Disconnect Ledger Sync from Acme Ltd" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Disconnect Ledger Sync?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
        var result = Page.GetByTestId("disconnect-result");
        await Expect(result).ToContainTextAsync("partner_connection.disconnected");
        await Expect(Page.GetByTestId("emitted-event")).ToContainTextAsync("\"reason\": \"user_initiated\"");
        await Expect(Page.GetByTestId("emitted-event")).ToContainTextAsync(accountId);
        await _browser.ScreenshotAsync("06-disconnected");
        await AssertAccessibleAsync("authorized apps page");

        // The event log has the event Herald emitted, with its exact envelope.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Events", Exact = true }).ClickAsync();
        await Page.GetByLabel("Event type").SelectOptionAsync("partner_connection.disconnected");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(Page.Locator("tr[data-event]")).ToHaveCountAsync(1);
        await Page.Locator("tr[data-event]").GetByRole(AriaRole.Link, new() { Name = "partner_connection.disconnected" }).ClickAsync();
        var envelope = Page.GetByTestId("envelope");
        await Expect(envelope).ToContainTextAsync($"\"app_id\":\"{appId}\"");
        await Expect(envelope).ToContainTextAsync($"\"data\":{{\"account_ids\":[\"{accountId}\"],\"reason\":\"user_initiated\"}}");
        await _browser.ScreenshotAsync("07-event-log");
        await AssertAccessibleAsync("event page");

        // The charts count one failed and one successful attempt.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Charts" }).ClickAsync();
        await Expect(Page.Locator(".tile").Filter(new() { HasText = "Attempts" })).ToContainTextAsync("2");
        await Expect(Page.Locator(".tile").Filter(new() { HasText = "Success rate" })).ToContainTextAsync("50.0 %");
        await _browser.ScreenshotAsync("08-charts");
        await AssertAccessibleAsync("charts page");
    }

    [Fact]
    public async Task An_account_key_sees_its_own_account_only_and_field_errors_point_at_the_field()
    {
        var mine = (await _server.PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = "Mine Ltd" }))["id"]!.GetValue<string>();
        var theirs = (await _server.PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = "Theirs Ltd" }))["id"]!.GetValue<string>();
        await _server.PostAsync("/api/v1/webhooks/create", new JsonObject { ["account_id"] = theirs, ["url"] = _receiver.Url("/theirs"), ["all_events"] = true });
        var key = (await _server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = mine }))["key"]!.GetValue<string>();

        await Page.GotoAsync("/");
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByTestId("who")).ToHaveTextAsync("Account key · Mine Ltd");
        await Expect(Page.GetByText("No webhooks yet")).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "New webhook" }).ClickAsync();
        await Expect(Page.Locator("#new-webhook").GetByLabel("Account")).ToHaveCountAsync(0);
        await Page.GetByLabel("Endpoint URL").FillAsync(_receiver.Url("/mine"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();

        // No event chosen: the API's validation error is shown and the events field is marked.
        var alert = Page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("validation_error · HTTP 400");
        await Expect(alert).ToContainTextAsync("Field: events");
        await Expect(Page.Locator("#new-webhook input[name='events']").First).ToHaveAttributeAsync("aria-invalid", "true");
        await _browser.ScreenshotAsync("10-account-key-validation-error");

        await Page.GetByLabel("Subscribe to all events").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(Page.GetByTestId("secret")).ToHaveTextAsync(new Regex("^whsec_"));
        await Expect(Page.Locator("table").GetByRole(AriaRole.Link)).ToHaveTextAsync([_receiver.Url("/mine")]);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_api_error_object()
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("API key").FillAsync("hk_not_a_real_key");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var alert = Page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("unauthorized · HTTP 401");
        await Expect(alert).ToContainTextAsync("The API key is not valid");
        await Expect(Page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task The_api_reference_renders_from_this_server_alone()
    {
        var elsewhere = new List<string>();
        Page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(_server.BaseAddress.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };

        await Page.GotoAsync("/docs");

        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Herald API" }).First).ToBeVisibleAsync();
        // Scalar renders operations as they scroll into view: open one from the sidebar, as a reader would.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Operator" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Create an organization") }).First.ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Create an organization" }).First).ToBeVisibleAsync();
        await _browser.ScreenshotAsync("09-api-reference", fullPage: false);
        Assert.Empty(elsewhere);
    }
}
