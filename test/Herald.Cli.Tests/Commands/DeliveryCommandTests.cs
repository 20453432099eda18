using Herald.Cli.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Cli.Tests.Commands;

public sealed class DeliveryCommandTests(HeraldServer server) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_triggered_event_is_delivered_and_can_be_listed_shown_and_retriggered()
    {
        var account = await server.CreateAccountAsync();
        var webhookId = (await Run("webhooks", "create", _receiver.Url(), "--events", "refund.succeeded", "--account", account, "--json")).Json.GetProperty("id").GetString()!;
        var eventId = "evt_cli_delivery_" + Guid.NewGuid().ToString("N");
        var trigger = await Run("trigger", "refund.succeeded", "--account", account, "--id", eventId);
        var first = await _receiver.NextAsync();

        var listed = await Run("deliveries", "list", "--event", eventId, "--json");
        var deliveryId = Assert.Single(listed.Json.GetProperty("items").EnumerateArray()).GetProperty("id").GetString()!;
        await server.WaitForDeliveryAsync(deliveryId, d => d.GetProperty("status").GetString() == "success");
        var shown = await Run("deliveries", "show", deliveryId);
        var shownJson = await Run("deliveries", "show", deliveryId, "--json");
        var byWebhook = await Run("deliveries", "list", "--webhook", webhookId, "--status", "success");
        var retriggered = await Run("deliveries", "retrigger", deliveryId, "--json");
        var second = await _receiver.NextAsync();

        Assert.True(trigger.ExitCode == 0, trigger.ToString());
        Assert.Contains(eventId, first.BodyText, StringComparison.Ordinal);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("success", shown.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"│ 1 +│ \S+ +│ \d+ ms +│ 200 ", shown.StdOut);
        var attempt = Assert.Single(shownJson.Json.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
        Assert.Contains(deliveryId, byWebhook.StdOut, StringComparison.Ordinal);
        Assert.True(retriggered.ExitCode == 0, retriggered.ToString());
        var again = Assert.Single(retriggered.Json.GetProperty("items").EnumerateArray());
        Assert.True(again.GetProperty("retriggered").GetBoolean());
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task Listing_by_an_unknown_status_is_a_usage_error()
    {
        var result = await Run("deliveries", "list", "--status", "done");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Retriggering_an_unknown_delivery_is_not_found()
    {
        var result = await Run("deliveries", "retrigger", "dlv_does_not_exist");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("not_found (404)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("[field: ids[0]]", result.StdErr, StringComparison.Ordinal);
    }

    private Task<CliResult> Run(params string[] args) => HeraldCli.RunAsync(args, server.AdminEnvironment);
}
