using Herald.Cli.Tests.Infrastructure;
using Herald.Contracts.Events;

namespace Herald.Cli.Tests.Commands;

public sealed class EventCommandTests(HeraldServer server)
{
    [Fact]
    public async Task Events_list_filters_by_account_and_name_and_shows_a_table_or_the_raw_json()
    {
        var account = await server.CreateAccountAsync();
        var refund = await Run("trigger", "refund.failed", "--account", account, "--json");
        await Run("trigger", "customer.created", "--account", account);

        var json = await Run("events", "list", "--account", account, "--name", "refund.failed", "--json");
        var table = await Run("events", "list", "--account", account);

        var listed = Assert.Single(json.Json.GetProperty("items").EnumerateArray());
        Assert.Equal(refund.Json.GetProperty("id").GetString(), listed.GetProperty("id").GetString());
        Assert.False(json.Json.GetProperty("has_more").GetBoolean());
        Assert.Contains("refund.failed", table.StdOut, StringComparison.Ordinal);
        Assert.Contains("customer.created", table.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_says_how_to_get_the_next_page()
    {
        var account = await server.CreateAccountAsync();
        await Run("trigger", "refund.failed", "--account", account);
        await Run("trigger", "refund.failed", "--account", account);

        var firstPage = await Run("events", "list", "--account", account, "--page-size", "1");
        var secondPage = await Run("events", "list", "--account", account, "--page-size", "1", "--page", "1", "--json");

        Assert.Contains("more with --page 1", firstPage.StdErr, StringComparison.Ordinal);
        Assert.Single(secondPage.Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Events_show_for_a_missing_event_is_not_found_with_exit_code_3()
    {
        var result = await Run("events", "show", "evt_missing_" + Guid.NewGuid().ToString("N"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("not_found (404)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_types_lists_the_whole_catalog()
    {
        var result = await HeraldCli.RunAsync("events", "types", "--json");

        Assert.Equal(EventCatalog.All.Select(t => t.Name), result.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    private Task<CliResult> Run(params string[] args) => HeraldCli.RunAsync(args, server.AdminEnvironment);
}
