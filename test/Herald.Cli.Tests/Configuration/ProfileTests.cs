using System.Text.Json;
using Herald.Cli.Tests.Infrastructure;

namespace Herald.Cli.Tests.Configuration;

// File modes are a Unix notion; on Windows the profile relies on the user folder's ACL.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProfileTests(HeraldServer server)
{
    private readonly string _configDirectory = Path.Combine(Directory.CreateTempSubdirectory("herald-cli-profile-").FullName, "herald");

    private string ProfilePath => Path.Combine(_configDirectory, "config.json");

    [Fact]
    public async Task Login_writes_the_url_and_key_to_a_profile_only_its_owner_can_read()
    {
        var result = await RunAsync("login", "--url", server.Url, "--api-key", HeraldServer.AdminKey);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ProfilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_configDirectory));
        using var profile = JsonDocument.Parse(File.ReadAllBytes(ProfilePath));
        Assert.Equal(server.Url, profile.RootElement.GetProperty("url").GetString());
        Assert.Equal(HeraldServer.AdminKey, profile.RootElement.GetProperty("api_key").GetString());
        Assert.DoesNotContain(HeraldServer.AdminKey, result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_over_an_existing_world_readable_profile_leaves_it_mode_600()
    {
        Directory.CreateDirectory(_configDirectory);
        File.WriteAllText(ProfilePath, "{}");
        File.SetUnixFileMode(ProfilePath, (UnixFileMode)0b110_100_100);

        var result = await RunAsync("login", "--url", server.Url, "--api-key", HeraldServer.AdminKey);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ProfilePath));
    }

    [Fact]
    public async Task After_login_commands_use_the_profile_and_after_logout_they_no_longer_do()
    {
        var account = await server.CreateAccountAsync("Profile user");
        await RunAsync("login", "--url", server.Url, "--api-key", HeraldServer.AdminKey);

        var withProfile = await RunAsync("webhooks", "list", "--account", account, "--json");
        var logout = await RunAsync("logout");
        var afterLogout = await RunAsync("webhooks", "list", "--account", account, "--url", server.Url);

        Assert.True(withProfile.ExitCode == 0, withProfile.ToString());
        Assert.Equal(0, withProfile.Json.GetProperty("items").GetArrayLength());
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.False(File.Exists(ProfilePath));
        Assert.Equal(3, afterLogout.ExitCode);
        Assert.Contains("unauthorized (401)", afterLogout.StdErr, StringComparison.Ordinal);
        Assert.Contains("No API key was given", afterLogout.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_environment_overrides_the_profile_and_a_flag_overrides_the_environment()
    {
        var account = await server.CreateAccountAsync("Precedence");
        await RunAsync("login", "--url", "http://127.0.0.1:9", "--api-key", "hk_wrong_key_from_profile", "--no-verify");

        var environmentWins = await RunAsync(["webhooks", "list", "--account", account], new() { ["HERALD_URL"] = server.Url, ["HERALD_API_KEY"] = HeraldServer.AdminKey });
        var flagWins = await RunAsync(["webhooks", "list", "--account", account, "--api-key", "hk_wrong_key_from_flag"], new() { ["HERALD_URL"] = server.Url, ["HERALD_API_KEY"] = HeraldServer.AdminKey });
        var profileUrl = await RunAsync(["webhooks", "list", "--account", account], new() { ["HERALD_API_KEY"] = HeraldServer.AdminKey });

        Assert.True(environmentWins.ExitCode == 0, environmentWins.ToString());
        Assert.Equal(3, flagWins.ExitCode);
        Assert.Contains("The key in use came from --api-key.", flagWins.StdErr, StringComparison.Ordinal);
        Assert.Equal(4, profileUrl.ExitCode);
        Assert.Contains($"Cannot reach Herald at http://127.0.0.1:9 (profile {ProfilePath})", profileUrl.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_a_key_the_server_refuses_saves_nothing()
    {
        var result = await RunAsync("login", "--url", server.Url, "--api-key", "hk_not_a_real_key");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("unauthorized (401)", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(ProfilePath));
    }

    [Fact]
    public async Task Login_without_a_key_and_without_a_terminal_is_a_usage_error()
    {
        var result = await RunAsync("login", "--url", server.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--api-key", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_that_is_not_json_is_reported_with_its_path()
    {
        Directory.CreateDirectory(_configDirectory);
        File.WriteAllText(ProfilePath, "url = nope");

        var result = await RunAsync("events", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(ProfilePath, result.StdErr, StringComparison.Ordinal);
    }

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, []);

    private Task<CliResult> RunAsync(string[] args, Dictionary<string, string?> environment)
    {
        environment["HERALD_CONFIG_DIR"] = _configDirectory;
        return HeraldCli.RunAsync(args, environment);
    }
}
