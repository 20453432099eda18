using System.Net;
using System.Text.Json.Nodes;
using Herald.Core.Dispatch;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Security;

/// <summary>
/// One test per address class: a webhook host that resolves to it is refused at connect time in production mode (the
/// tenant sees only "destination not allowed"; the operator's log has the detail) and reached in dev mode. Names are
/// resolved by <see cref="LoopbackDialer"/> and every connect really goes to a loopback receiver, so nothing is ever
/// sent to the addresses themselves.
/// </summary>
public sealed class SsrfTests
{
    public static TheoryData<string, string> AddressClasses => new()
    {
        { "loopback", "127.0.0.1" },
        { "private", "10.1.2.3" },
        { "metadata", "169.254.169.254" },
        { "ipv6-loopback", "::1" },
        { "ipv4-mapped", "::ffff:10.0.0.1" },
        { "ipv4-compatible", "::7f00:1" },
        { "nat64", "64:ff9b::a9fe:a9fe" },
        { "nat64-local-use", "64:ff9b:1::a00:1" },
        { "6to4", "2002:a00:1::1" },
        { "teredo", "2001:0:a00:1:8000:63bf:f5ff:fffe" },
    };

    private static async Task<(HeraldTestServer Server, LoopbackDialer Dialer, LogCollector Logs)> StartAsync(bool dev, WebhookReceiver receiver, string? proxy = null)
    {
        var dialer = new LoopbackDialer { Target = new IPEndPoint(IPAddress.Loopback, receiver.BaseAddress.Port) };
        var logs = new LogCollector();
        var settings = new Dictionary<string, string?>
        {
            ["Herald:Dev"] = dev ? "true" : "false",
            ["Herald:Webhooks:RequireHttps"] = "false", // the network rule alone is under test
        };
        if (proxy is not null)
        {
            settings["Herald:Delivery:Proxy"] = proxy;
        }

        var server = await HeraldTestServer.StartAsync(settings, services: services =>
        {
            services.AddSingleton<NetworkDialer>(dialer);
            services.AddSingleton<ILoggerProvider>(logs);
        });
        return (server, dialer, logs);
    }

    private static async Task<JsonObject> DeliverOnceAsync(HeraldTestServer server, string url)
    {
        var account = await server.CreateAccountAsync();
        await server.CreateWebhookAsync(account, url, "refund.received");
        var published = await server.PublishAsync(account, "refund.received");
        var deliveryId = (await server.DeliveriesAsync($"?event_id={published["id"]}"))[0]!["id"]!.GetValue<string>();
        return await server.WaitForDeliveryAsync(deliveryId, d => HeraldTestServer.AttemptCount(d) == 1);
    }

    [Theory]
    [MemberData(nameof(AddressClasses))]
    public async Task In_production_mode_a_host_resolving_to_the_class_is_refused_and_only_the_operator_sees_why(string addressClass, string address)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, logs) = await StartAsync(dev: false, receiver);
        await using var _ = server;
        dialer.Map($"{addressClass}.hooks.test", IPAddress.Parse(address));

        var delivery = await DeliverOnceAsync(server, $"http://{addressClass}.hooks.test:9/hook");

        var error = delivery["attempts"]![0]!["error"]!.GetValue<string>();
        Assert.StartsWith("destination not allowed", error, StringComparison.Ordinal);
        Assert.DoesNotContain(IPAddress.Parse(address).ToString(), error, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowedHosts", error, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowPrivateNetworks", error, StringComparison.Ordinal);
        Assert.Empty(dialer.Connects);
        Assert.Empty(receiver.Requests);
        Assert.Contains(logs.Lines, line => line.Contains($"{addressClass}.hooks.test", StringComparison.Ordinal) && line.Contains(IPAddress.Parse(address).ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AddressClasses))]
    public async Task In_dev_mode_a_host_resolving_to_the_class_is_reached(string addressClass, string address)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, _) = await StartAsync(dev: true, receiver);
        await using var _ = server;
        dialer.Map($"{addressClass}.hooks.test", IPAddress.Parse(address));

        var delivery = await DeliverOnceAsync(server, $"http://{addressClass}.hooks.test:9/hook");

        Assert.Equal(200, delivery["attempts"]![0]!["status_code"]!.GetValue<int>());
        Assert.Contains(dialer.Connects, addresses => addresses.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task In_production_mode_an_address_literal_in_the_url_is_judged_like_a_resolved_name()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, _) = await StartAsync(dev: false, receiver);
        await using var _ = server;

        var delivery = await DeliverOnceAsync(server, "http://[64:ff9b::a9fe:a9fe]:9/latest/meta-data");

        Assert.StartsWith("destination not allowed", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(dialer.Connects);
    }

    [Fact]
    public async Task A_name_with_one_private_address_among_public_ones_is_refused()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, _) = await StartAsync(dev: false, receiver);
        await using var _ = server;
        dialer.Map("mixed.hooks.test", IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.7"));

        var delivery = await DeliverOnceAsync(server, "http://mixed.hooks.test:9/hook");

        Assert.StartsWith("destination not allowed", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(dialer.Connects);
    }

    [Fact]
    public async Task Through_an_outbound_proxy_a_public_destination_goes_via_the_proxy()
    {
        // The "proxy" is a loopback endpoint that answers 200 itself: it proves the request came to it (in absolute form)
        // and forwards nothing anywhere.
        await using var proxy = new RawHttpEndpoint(async (stream, head, token) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), token);
            return true;
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, _) = await StartAsync(dev: false, receiver, proxy: $"http://127.0.0.1:{proxy.Port}");
        await using var _ = server;
        dialer.Target = new IPEndPoint(IPAddress.Loopback, proxy.Port);
        dialer.Map("public.hooks.test", IPAddress.Parse("93.184.216.34"));

        var delivery = await DeliverOnceAsync(server, "http://public.hooks.test/hook");

        Assert.Equal(200, delivery["attempts"]![0]!["status_code"]!.GetValue<int>());
        Assert.Equal(1, proxy.Requests);
        Assert.All(dialer.Connects, addresses => Assert.Equal(IPAddress.Loopback, Assert.Single(addresses)));
    }

    [Fact]
    public async Task Through_an_outbound_proxy_a_destination_resolving_to_a_private_address_is_refused_before_the_proxy_is_asked()
    {
        await using var proxy = new RawHttpEndpoint(async (stream, head, token) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), token);
            return true;
        });
        await using var receiver = await WebhookReceiver.StartAsync();
        var (server, dialer, _) = await StartAsync(dev: false, receiver, proxy: $"http://127.0.0.1:{proxy.Port}");
        await using var _ = server;
        dialer.Map("internal.hooks.test", IPAddress.Parse("10.0.0.5"));

        var delivery = await DeliverOnceAsync(server, "http://internal.hooks.test/hook");

        Assert.StartsWith("destination not allowed", delivery["attempts"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, proxy.Requests);
        Assert.Empty(dialer.Connects);
    }
}
