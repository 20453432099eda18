using System.Net;
using System.Text.Json;
using Herald.Server.Hosting;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

public sealed class HostingTests
{
    [Theory]
    [InlineData(new[] { "--dev" }, new[] { "--Herald:Dev=true" })]
    [InlineData(new[] { "--data", "/srv/herald", "--urls", "http://0.0.0.0:9000" }, new[] { "--Herald:DataPath=/srv/herald", "--urls", "http://0.0.0.0:9000" })]
    [InlineData(new[] { "--data=/srv/h" }, new[] { "--Herald:DataPath=/srv/h" })]
    public void The_command_line_maps_herald_flags_onto_configuration_keys(string[] args, string[] expected)
    {
        Assert.Equal(expected, HeraldCommandLine.Normalize(args));
    }

    [Fact]
    public void Configuration_files_are_read_once_so_no_watcher_wakes_on_every_database_write_under_the_working_folder()
    {
        var builder = HeraldServerApp.CreateBuilder(["--dev"]);

        var files = builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.FileConfigurationSource>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.ReloadOnChange, $"{file.Path} is reloaded on change"));
    }

    [Fact]
    public async Task Health_readiness_and_the_openapi_document_answer_without_a_key()
    {
        await using var server = await HeraldTestServer.StartAsync();

        using var health = await server.Anonymous.GetAsync("/healthz");
        using var ready = await server.Anonymous.GetAsync("/readyz");
        using var openApi = await server.Anonymous.GetAsync("/openapi/v1.json");
        var document = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/events/create", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/deliveries/retrigger", out _));
    }

    [Fact]
    public async Task Outside_dev_mode_the_server_refuses_to_start_without_an_admin_key()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["HERALD_ADMIN_KEY"] = null,
            ["Herald:Dev"] = "false",
        }));

        Assert.Contains("HERALD_ADMIN_KEY", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_dev_mode_plain_http_webhook_urls_are_refused()
    {
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Dev"] = "false" });
        var account = await server.CreateAccountAsync();

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => server.CreateWebhookAsync(account, "http://example.com/hook", "refund.received"));

        Assert.Contains("https", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_dev_mode_a_webhook_that_resolves_to_a_private_address_is_refused_at_connect_time()
    {
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Dev"] = "false" });
        var account = await server.CreateAccountAsync();
        await server.CreateWebhookAsync(account, "https://localhost:9/hook", "refund.received");
        await server.PublishAsync(account, "refund.received", id: "evt_private");
        var deliveryId = (await server.DeliveriesAsync("?event_id=evt_private"))[0]!["id"]!.GetValue<string>();

        var delivery = await server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);

        Assert.StartsWith("destination not allowed", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_reports_a_node_clock_far_from_the_databases_without_taking_the_node_out()
    {
        // The test server runs on a fake clock set months before the database's real one.
        await using var server = await HeraldTestServer.StartAsync();

        using var ready = await server.Anonymous.GetAsync("/readyz");
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(HeraldTestServer.UsePostgres ? "off the database's" : "no clock to agree with", checks.GetProperty("clock").GetString(), StringComparison.Ordinal);
    }
}
