using System.Net;
using System.Net.Sockets;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Herald.Server.Tests.Observability;

/// <summary>Where telemetry leaves the server: OTLP to a collector, and <c>/metrics</c> on a port of its own.</summary>
[Collection(nameof(RunsAlone))]
public sealed class ExportTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _running = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var part in Enumerable.Reverse(_running))
        {
            await part.DisposeAsync();
        }
    }

    private async Task<T> RunAsync<T>(Task<T> starting)
        where T : IAsyncDisposable
    {
        var part = await starting;
        _running.Add(part);
        return part;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_and_metrics_are_exported_to_it()
    {
        // A real HTTP server standing in for the OpenTelemetry collector: it records what the exporter posts.
        var collector = await RunAsync(WebhookReceiver.StartAsync());
        collector.Respond = _ => new ReceiverResponse(200, string.Empty);
        var receiver = await RunAsync(WebhookReceiver.StartAsync());
        var server = await RunAsync(HeraldTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Observability:OtlpEndpoint"] = collector.BaseAddress.ToString(),
            ["Herald:Observability:OtlpProtocol"] = "http/protobuf",
        }));
        var account = await server.CreateAccountAsync();
        await server.CreateWebhookAsync(account, receiver.Url("/exported"), "payment_intent.succeeded");

        await server.PublishAsync(account, id: "evt_exported");
        var delivered = await receiver.WaitForAsync("/exported");
        await server.WaitForIdleAsync();
        Assert.True(server.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        // The provider's answer is false because of the Prometheus reader, which only collects when scraped; the OTLP reader exports.
        server.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);

        var traces = collector.Requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = collector.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(traces.Concat(metrics), r => Assert.Equal("application/x-protobuf", r.Header("content-type")));
        var spanBytes = traces.SelectMany(r => r.Body).ToArray();
        Assert.True(Contains(spanBytes, "herald.ingest"u8), "no herald.ingest span was exported");
        Assert.True(Contains(spanBytes, "herald.attempt"u8), "no herald.attempt span was exported");
        var traceId = Convert.FromHexString(delivered.Header("traceparent")!.Split('-')[1]);
        Assert.True(Contains(spanBytes, traceId), "the exported spans are not in the trace the endpoint saw");
        var metricBytes = metrics.SelectMany(r => r.Body).ToArray();
        Assert.True(Contains(metricBytes, "herald.deliveries.outcomes"u8));
        Assert.True(Contains(metricBytes, "herald.events.ingested"u8));
    }

    [Fact]
    public async Task A_metrics_port_serves_metrics_without_a_key_and_nothing_else()
    {
        var port = FreePort();
        var server = await RunAsync(HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Observability:MetricsPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var scrape = await Scrape.FromAsync(client, "/metrics");
        using var health = await client.GetAsync("/healthz");
        using var api = await client.GetAsync("/api/v1/event_types");
        using var mainWithoutKey = await server.Anonymous.GetAsync("/metrics");

        Assert.Contains("herald_events_ingested_total", scrape.Names);
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, mainWithoutKey.StatusCode);
    }

    [Theory]
    [InlineData("Herald:Observability:MetricsPort", "70000", "MetricsPort")]
    [InlineData("Herald:Observability:OtlpEndpoint", "collector:4317", "OtlpEndpoint")]
    [InlineData("Herald:Observability:OtlpProtocol", "udp", "OtlpProtocol")]
    [InlineData("Herald:Observability:QueueSampleInterval", "00:00:00.100", "QueueSampleInterval")]
    [InlineData("Herald:Observability:QueueCountLimit", "0", "QueueCountLimit")]
    public async Task An_invalid_observability_setting_stops_the_server_naming_it(string key, string value, string named)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => HeraldTestServer.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    private static bool Contains(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle) >= 0;
}
