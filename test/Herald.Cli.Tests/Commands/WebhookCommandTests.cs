using Herald.Cli.Tests.Infrastructure;
using Herald.Receiver;
using Herald.Testing;

namespace Herald.Cli.Tests.Commands;

public sealed class WebhookCommandTests(HeraldServer server) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Create_list_and_test_a_webhook_that_a_real_receiver_gets_signed()
    {
        var account = await server.CreateAccountAsync();
        const string secret = "whsec_cli_webhook_test_0123456789";

        var created = await Run("webhooks", "create", _receiver.Url("/hooks"), "--events", "dispute.won,refund.failed", "--secret", secret, "--account", account, "--description", "from the CLI", "--json");
        var webhookId = created.Json.GetProperty("id").GetString()!;
        var listed = await Run("webhooks", "list", "--account", account, "--json");
        var table = await Run("webhooks", "list", "--account", account);
        var tested = await Run("webhooks", "test", webhookId, "dispute.won");
        var request = await _receiver.NextAsync();

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(secret, created.Json.GetProperty("secret").GetString());
        var item = Assert.Single(listed.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(webhookId, item.GetProperty("id").GetString());
        Assert.Equal(["dispute.won", "refund.failed"], item.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(webhookId, table.StdOut, StringComparison.Ordinal);
        Assert.Contains(_receiver.Url("/hooks"), table.StdOut, StringComparison.Ordinal);
        Assert.True(tested.ExitCode == 0, tested.ToString());
        Assert.Matches(@"Accepted: dispute\.won evt_test\S* → HTTP 200 in \d+ ms", tested.StdOut);
        Assert.Equal("/hooks", request.Path);
        var verification = HeraldWebhook.Verify(request.Body, request.Header("x-timestamp"), request.Header("x-signature"), secret);
        Assert.True(verification.IsValid, verification.Explanation);
        Assert.Contains("\"name\":\"dispute.won\"", request.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_test_the_endpoint_refuses_exits_with_1_and_shows_its_answer()
    {
        var account = await server.CreateAccountAsync();
        _receiver.Respond = _ => new ReceiverResponse(StatusCode: 500, Body: "broken on purpose");
        var webhookId = (await Run("webhooks", "create", _receiver.Url(), "--all-events", "--account", account, "--json")).Json.GetProperty("id").GetString()!;

        var tested = await Run("webhooks", "test", webhookId, "refund.failed");
        var testedJson = await Run("webhooks", "test", webhookId, "--json");

        Assert.Equal(1, tested.ExitCode);
        Assert.Contains("Not accepted", tested.StdOut, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", tested.StdOut, StringComparison.Ordinal);
        Assert.Contains("broken on purpose", tested.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, testedJson.ExitCode);
        Assert.False(testedJson.Json.GetProperty("success").GetBoolean());
        Assert.Equal("payment_intent.succeeded", testedJson.Json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Update_disables_and_changes_events_and_after_delete_the_webhook_is_not_found()
    {
        var account = await server.CreateAccountAsync();
        var webhookId = (await Run("webhooks", "create", _receiver.Url(), "--events", "refund.failed", "--account", account, "--json")).Json.GetProperty("id").GetString()!;

        var updated = await Run("webhooks", "update", webhookId, "--events", "refund.succeeded,refund.received", "--disable", "--description", "paused", "--json");
        var shown = await Run("webhooks", "show", webhookId);
        var deleted = await Run("webhooks", "delete", webhookId);
        var afterDelete = await Run("webhooks", "show", webhookId, "--json");

        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Equal("DISABLED", updated.Json.GetProperty("status").GetString());
        Assert.Equal(["refund.succeeded", "refund.received"], updated.Json.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("paused", shown.StdOut, StringComparison.Ordinal);
        Assert.Contains("DISABLED", shown.StdOut, StringComparison.Ordinal);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains($"Deleted webhook {webhookId}", deleted.StdOut, StringComparison.Ordinal);
        Assert.Equal(3, afterDelete.ExitCode);
        Assert.Contains("not_found (404)", afterDelete.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_needs_events_or_all_events()
    {
        var result = await Run("webhooks", "create", _receiver.Url(), "--account", "acct_x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--events a,b or --all-events", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_the_server_refuses_is_an_api_error_naming_the_field()
    {
        var account = await server.CreateAccountAsync();

        var result = await Run("webhooks", "create", "ftp://example.com/hook", "--all-events", "--account", account);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("validation_error (400)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("[field: url]", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_accounts_webhook_is_not_found_for_an_account_key()
    {
        var owner = await server.CreateAccountAsync("Owner");
        var other = await server.CreateAccountAsync("Other");
        var otherKey = await server.CreateAccountKeyAsync(other);
        var webhookId = (await Run("webhooks", "create", _receiver.Url(), "--all-events", "--account", owner, "--json")).Json.GetProperty("id").GetString()!;

        var result = await HeraldCli.RunAsync(["webhooks", "show", webhookId], new() { ["HERALD_URL"] = server.Url, ["HERALD_API_KEY"] = otherKey });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("not_found (404)", result.StdErr, StringComparison.Ordinal);
    }

    private Task<CliResult> Run(params string[] args) => HeraldCli.RunAsync(args, server.AdminEnvironment);
}
