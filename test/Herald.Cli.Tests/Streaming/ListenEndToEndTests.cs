using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Herald.Cli.Tests.Infrastructure;

namespace Herald.Cli.Tests.Streaming;

/// <summary>
/// <c>herald trigger</c> → real Herald server → <c>herald listen</c> → an app built on Herald.Receiver. These need the
/// server's <c>GET /api/v1/events/stream</c>; until a server has it they are reported as skipped, not passed.
/// </summary>
public sealed class ListenEndToEndTests(HeraldServer server)
{
    private const string Secret = "whsec_listen_end_to_end_0123456789";

    [Fact]
    public async Task Triggered_events_reach_a_receiver_app_through_listen_verified_filtered_and_handled_once_each()
    {
        var account = await server.CreateAccountAsync("Listener");
        await using var app = await ReceiverApp.StartAsync(Secret);
        await using var listen = CliProcess.Start(
            ["listen", "--forward-to", app.WebhookUrl, "--secret", Secret, "--account", account, "--events", "payment_intent.succeeded,refund.failed"],
            server.AdminEnvironment);
        await listen.WaitForLineAsync("^Connected");

        var wanted = await TriggerAsync(server.AdminEnvironment, "payment_intent.succeeded", account);
        var filteredOut = await TriggerAsync(server.AdminEnvironment, "customer.created", account);
        var sentinel = await TriggerAsync(server.AdminEnvironment, "refund.failed", account);
        await app.Handled.WaitForAsync(sentinel);

        Assert.Equal(new Dictionary<string, int> { [wanted] = 1, [sentinel] = 1 }, app.Handled.Counts);
        Assert.DoesNotContain(filteredOut, listen.Output, StringComparison.Ordinal);
        await listen.WaitForLineAsync($@"--> refund\.failed {sentinel}\s+<-- 200");
    }

    [Fact]
    public async Task Listen_survives_a_server_restart_without_losing_or_repeating_events()
    {
        var dataPath = Directory.CreateTempSubdirectory("herald-cli-restart-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string?> { ["HERALD_URL"] = url, ["HERALD_API_KEY"] = HeraldServer.AdminKey };
        var first = await StartServerAsync(dataPath, url);
        try
        {
            var account = await RunAsync(["accounts", "create", "Restart"], environment);
            await using var app = await ReceiverApp.StartAsync(Secret);
            await using var listen = CliProcess.Start(["listen", "--forward-to", app.WebhookUrl, "--secret", Secret, "--account", account], environment);
            await listen.WaitForLineAsync("^Connected");

            var before = await TriggerAsync(environment, "payment_intent.succeeded", account);
            await app.Handled.WaitForAsync(before);
            Assert.Equal(0, await first.TerminateAsync());
            await first.DisposeAsync();
            first = await StartServerAsync(dataPath, url);
            var whileReconnecting = await TriggerAsync(environment, "refund.failed", account);
            await listen.WaitForLineAsync("^Reconnected");
            var after = await TriggerAsync(environment, "dispute.won", account);
            await app.Handled.WaitForAsync(after);

            Assert.Equal(new Dictionary<string, int> { [before] = 1, [whileReconnecting] = 1, [after] = 1 }, app.Handled.Counts);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    private static async Task<CliProcess> StartServerAsync(string dataPath, string url)
    {
        var serve = CliProcess.Start(
            ["serve", "--dev", "--data", dataPath, "--urls", url],
            new() { ["HERALD_ADMIN_KEY"] = HeraldServer.AdminKey, ["Logging__LogLevel__Default"] = "Warning" },
            workingDirectory: dataPath);
        await serve.WaitForLineAsync("Herald is listening on");
        return serve;
    }

    private static async Task<string> TriggerAsync(Dictionary<string, string?> environment, string name, string account)
    {
        var result = await HeraldCli.RunAsync(["trigger", name, "--account", account, "--json"], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json.GetProperty("id").GetString()!;
    }

    private static async Task<string> RunAsync(string[] args, Dictionary<string, string?> environment)
    {
        var result = await HeraldCli.RunAsync(args, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut.Trim();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
