using Herald.Cli.Tests.Infrastructure;

namespace Herald.Cli.Tests.Commands;

public sealed class AccountCommandTests(HeraldServer server)
{
    [Fact]
    public async Task Accounts_create_prints_only_the_new_id_so_scripts_can_capture_it()
    {
        var created = await HeraldCli.RunAsync(["accounts", "create", "Scripted Ltd"], server.AdminEnvironment);
        var id = created.StdOut.Trim();

        var listed = await HeraldCli.RunAsync(["accounts", "list", "--page-size", "1000", "--json"], server.AdminEnvironment);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Matches("^acct_[A-Za-z0-9_-]+$", id);
        Assert.Contains(listed.Json.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == id && a.GetProperty("name").GetString() == "Scripted Ltd");
    }

    [Fact]
    public async Task Creating_an_account_with_an_account_key_is_refused_with_exit_code_3()
    {
        var account = await server.CreateAccountAsync();
        var key = await server.CreateAccountKeyAsync(account);

        var result = await HeraldCli.RunAsync(["accounts", "create", "Nope"], new() { ["HERALD_URL"] = server.Url, ["HERALD_API_KEY"] = key });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("needs the server's admin key", result.StdErr, StringComparison.Ordinal);
    }
}
