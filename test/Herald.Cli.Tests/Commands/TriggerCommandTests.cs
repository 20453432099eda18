using System.Text.Json;
using Herald.Cli.Tests.Infrastructure;
using Herald.Contracts.Samples;

namespace Herald.Cli.Tests.Commands;

public sealed class TriggerCommandTests(HeraldServer server)
{
    [Fact]
    public async Task A_triggered_sample_with_changes_is_stored_and_shown_by_events_show()
    {
        var account = await server.CreateAccountAsync();
        var eventId = "evt_cli_" + Guid.NewGuid().ToString("N");

        var trigger = await HeraldCli.RunAsync(
            ["trigger", "payment_intent.succeeded", "--account", account, "--id", eventId,
             "--set", "data.object.amount=12", "--set", "data.object.currency=EUR", "--set", "data.object.metadata.note=Zürich ☕", "--json"],
            server.AdminEnvironment);
        var shown = await HeraldCli.RunAsync(["events", "show", eventId, "--json"], server.AdminEnvironment);

        Assert.True(trigger.ExitCode == 0, trigger.ToString());
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal(trigger.StdOut, shown.StdOut);
        var envelope = shown.Json;
        Assert.Equal(eventId, envelope.GetProperty("id").GetString());
        Assert.Equal("payment_intent.succeeded", envelope.GetProperty("name").GetString());
        Assert.Equal(account, envelope.GetProperty("account_id").GetString());
        var data = envelope.GetProperty("data").GetProperty("object");
        Assert.Equal(12, data.GetProperty("amount").GetDecimal());
        Assert.Equal("EUR", data.GetProperty("currency").GetString());
        Assert.Equal("Zürich ☕", data.GetProperty("metadata").GetProperty("note").GetString());
        using var sample = JsonDocument.Parse(EventSamples.GetData("payment_intent.succeeded"));
        var sampleObject = sample.RootElement.GetProperty("object");
        Assert.Equal(sampleObject.GetProperty("id").GetString(), data.GetProperty("id").GetString());
        Assert.Equal(sampleObject.GetProperty("metadata").GetProperty("cart_id").GetString(), data.GetProperty("metadata").GetProperty("cart_id").GetString());
        Assert.True(JsonElement.DeepEquals(sampleObject.GetProperty("latest_payment_attempt"), data.GetProperty("latest_payment_attempt")));
    }

    [Fact]
    public async Task Trigger_without_json_says_what_it_published_and_how_many_webhooks_it_queued_for()
    {
        var account = await server.CreateAccountAsync();
        await server.PostAsync("/api/v1/webhooks/create", new System.Text.Json.Nodes.JsonObject
        {
            ["account_id"] = account,
            ["url"] = "http://127.0.0.1:9/unreachable",
            ["events"] = new System.Text.Json.Nodes.JsonArray("refund.failed"),
        });

        var result = await HeraldCli.RunAsync(["trigger", "refund.failed", "--account", account], server.AdminEnvironment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"Published refund\.failed evt_\S+ for " + account, result.StdOut);
        Assert.Contains("Queued for 1 webhook", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Triggering_with_an_account_key_fails_with_exit_code_3_and_says_the_admin_key_is_needed()
    {
        var account = await server.CreateAccountAsync();
        var accountKey = await server.CreateAccountKeyAsync(account);

        var result = await HeraldCli.RunAsync(["trigger", "refund.failed", "--account", account], new() { ["HERALD_URL"] = server.Url, ["HERALD_API_KEY"] = accountKey });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("unauthorized (401)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("needs the server's admin key", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("came from HERALD_API_KEY", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_event_name_is_a_usage_error_that_suggests_the_nearest_name()
    {
        var result = await HeraldCli.RunAsync(["trigger", "payment_intent.succeded"], server.AdminEnvironment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Did you mean payment_intent.succeeded?", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_disconnection_event_cannot_be_triggered_because_herald_emits_it()
    {
        var result = await HeraldCli.RunAsync(["trigger", "partner_connection.disconnected", "--account", "acct_x"], server.AdminEnvironment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Herald emits it", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("created_at=yesterday")]
    [InlineData("data=[1,2]")]
    public async Task A_sample_changed_into_something_the_server_refuses_is_an_api_error_not_a_crash(string assignment)
    {
        var account = await server.CreateAccountAsync();

        var result = await HeraldCli.RunAsync(["trigger", "payment_intent.succeeded", "--account", account, "--set", assignment], server.AdminEnvironment);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("validation_error (400)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_validation_error_from_the_api_is_printed_with_its_code_and_field()
    {
        var result = await HeraldCli.RunAsync(["trigger", "refund.failed"], server.AdminEnvironment);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("validation_error (400):", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("[field: account_id]", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_the_same_id_again_is_a_no_op_and_with_other_content_a_conflict()
    {
        var account = await server.CreateAccountAsync();
        var eventId = "evt_cli_repeat_" + Guid.NewGuid().ToString("N");
        var first = await HeraldCli.RunAsync(["trigger", "customer.created", "--account", account, "--id", eventId], server.AdminEnvironment);
        var again = await HeraldCli.RunAsync(["trigger", "customer.created", "--account", account, "--id", eventId], server.AdminEnvironment);
        var changed = await HeraldCli.RunAsync(["trigger", "customer.created", "--account", account, "--id", eventId, "--set", "data.object.name=Other"], server.AdminEnvironment);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Already published", again.StdOut, StringComparison.Ordinal);
        Assert.Equal(3, changed.ExitCode);
        Assert.Contains("duplicate_request (409)", changed.StdErr, StringComparison.Ordinal);
    }
}
