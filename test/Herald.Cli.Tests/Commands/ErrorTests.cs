using System.Net;
using System.Net.Sockets;
using Herald.Cli.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Cli.Tests.Commands;

public sealed class ErrorTests
{
    [Fact]
    public async Task An_unreachable_server_exits_with_4_and_says_where_it_looked()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";

        var result = await HeraldCli.RunAsync(["webhooks", "list"], new() { ["HERALD_URL"] = url, ["HERALD_API_KEY"] = "hk_any" });

        Assert.Equal(4, result.ExitCode);
        Assert.Contains($"Cannot reach Herald at {url} (HERALD_URL)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("herald serve --dev", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_exits_with_4_and_prints_the_error_object()
    {
        await using var failing = await WebhookReceiver.StartAsync();
        failing.Respond = _ => new ReceiverResponse(500, "{\"code\":\"internal_error\",\"message\":\"Something failed on the server.\"}");

        var result = await HeraldCli.RunAsync(["deliveries", "list"], new() { ["HERALD_URL"] = failing.BaseAddress.ToString(), ["HERALD_API_KEY"] = "hk_any" });

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("error: internal_error (500): Something failed on the server.", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_is_not_json_is_not_taken_for_herald()
    {
        await using var other = await WebhookReceiver.StartAsync();
        other.Respond = _ => new ReceiverResponse(200, "<html>hello</html>");

        var result = await HeraldCli.RunAsync(["events", "list"], new() { ["HERALD_URL"] = other.BaseAddress.ToString(), ["HERALD_API_KEY"] = "hk_any" });

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("is the URL a Herald server?", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhooks", "frobnicate")]
    [InlineData("trigger")]
    [InlineData("verify", "--secret", "s")]
    [InlineData("deliveries", "retrigger")]
    [InlineData("listen")]
    public async Task A_wrong_command_line_exits_with_2_and_explains_on_standard_error(params string[] args)
    {
        var result = await HeraldCli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEqual(string.Empty, result.StdErr.Trim());
    }

    [Fact]
    public async Task A_server_url_that_is_not_http_is_a_usage_error()
    {
        var result = await HeraldCli.RunAsync(["events", "list"], new() { ["HERALD_URL"] = "ftp://example.com" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("(from HERALD_URL)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var result = await HeraldCli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "serve", "listen", "trigger", "sign", "verify", "webhooks", "deliveries", "events", "login", "logout" })
        {
            Assert.Matches($@"(?m)^  {command}\b", result.StdOut);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
