using Herald.Cli.Tests.Infrastructure;

namespace Herald.Cli.Tests.Hosting;

public sealed class ServeCommandTests
{
    private const string AdminKey = "hk_admin_serve_tests_0123456789";

    [Fact]
    public async Task Serve_started_from_a_folder_without_appsettings_logs_like_the_server_project()
    {
        var folder = Directory.CreateTempSubdirectory("herald-cli-serve-").FullName;

        var output = await ServeAndRequestAsync(folder);

        Assert.Contains("Delivery dispatcher started", output, StringComparison.Ordinal);
        Assert.Contains($"Content root path: {folder}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_appsettings_file_in_the_working_folder_overrides_the_defaults()
    {
        var folder = Directory.CreateTempSubdirectory("herald-cli-serve-").FullName;
        File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{"Logging":{"LogLevel":{"Microsoft.AspNetCore":"Information"}}}""");

        var output = await ServeAndRequestAsync(folder);

        Assert.Contains("Request starting", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_mode_without_an_admin_key_makes_one_in_the_data_folder_and_prints_it()
    {
        var folder = Directory.CreateTempSubdirectory("herald-cli-serve-").FullName;
        await using var serve = CliProcess.Start(["serve", "--dev", "--data", "data", "--urls", "http://127.0.0.1:0"], workingDirectory: folder);

        var key = await serve.WaitForLineAsync(@"^Admin key: (hk_admin_\S+)$");
        var exitCode = await serve.TerminateAsync();

        Assert.Equal(key.Groups[1].Value, File.ReadAllText(Path.Combine(folder, "data", "admin-key")).Trim());
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Outside_dev_mode_serve_refuses_to_start_without_an_admin_key_and_exits_with_1()
    {
        var folder = Directory.CreateTempSubdirectory("herald-cli-serve-").FullName;

        var result = await HeraldCli.RunAsync(["serve", "--data", folder, "--urls", "http://127.0.0.1:0"], workingDirectory: folder);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Herald cannot start: HERALD_ADMIN_KEY is not set", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Starts serve in <paramref name="folder"/>, makes one API request, stops it with SIGTERM and returns everything it printed.</summary>
    private static async Task<string> ServeAndRequestAsync(string folder)
    {
        await using var serve = CliProcess.Start(
            ["serve", "--dev", "--data", Path.Combine(folder, "data"), "--urls", "http://127.0.0.1:0"],
            new() { ["HERALD_ADMIN_KEY"] = AdminKey },
            workingDirectory: folder);
        var url = (await serve.WaitForLineAsync(@"Herald is listening on (http://127\.0\.0\.1:\d+)")).Groups[1].Value;
        await serve.WaitForLineAsync("Content root path");
        using (var client = new HttpClient())
        {
            using var response = await client.GetAsync(url + "/api/v1/event_types");
            Assert.True(response.IsSuccessStatusCode);
        }

        var exitCode = await serve.TerminateAsync();
        Assert.Equal(0, exitCode);
        return serve.Output;
    }
}
