using System.Reflection;
using Herald.Core;
using Herald.Core.Diagnostics;
using Herald.Server.Auth;
using Herald.Server.Observability;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Metrics and traces with OpenTelemetry: <c>builder.AddHeraldObservability()</c>, then <c>app.MapHeraldObservability()</c>.
/// Metrics: the <c>Herald</c> meter, ASP.NET Core's and the runtime's, scraped at <c>/metrics</c> (Prometheus) and
/// pushed over OTLP when an endpoint is configured. Traces: Herald's spans with the ASP.NET Core and HttpClient ones,
/// exported over OTLP when an endpoint is configured (without one nothing is recorded, but every attempt still sends
/// its <c>traceparent</c>). See docs/observability.md.
/// </summary>
internal static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    private const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    private static readonly string[] UnsampledPaths = [MetricsPath, "/healthz", "/readyz"];

    /// <summary>Adds the meters, the exporters, the queue sampler and the outcome writer's readiness check. Call after the server's URLs are set.</summary>
    public static WebApplicationBuilder AddHeraldObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>());
        services.TryAddSingleton<QueueStatsSampler>();
        services.AddHostedService(provider => provider.GetRequiredService<QueueStatsSampler>());
        services.AddHealthChecks().AddCheck<OutcomeWriterHealthCheck>(OutcomeWriterHealthCheck.Name, tags: [HealthTags.Ready]);

        // Read here rather than through IOptions: the exporters and the listening URLs are decided while building.
        // An invalid value is reported by the validator when the server starts.
        var settings = new ObservabilityOptions();
        configuration.GetSection(ObservabilityOptions.SectionName).Bind(settings, binder => binder.ErrorOnUnknownConfiguration = false);
        AddMetricsPortUrls(builder, settings.MetricsPort);

        var otlpEndpoint = string.IsNullOrWhiteSpace(settings.OtlpEndpoint) ? null : settings.OtlpEndpoint;
        var exportOtlp = otlpEndpoint is not null || !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var protocol = settings.OtlpProtocol ?? configuration[OtlpProtocolVariable] ?? "grpc";
        var version = typeof(HeraldMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        var serviceName = configuration[ServiceNameVariable] is { Length: > 0 } fromEnvironment ? fromEnvironment : settings.ServiceName;

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                // Not HttpClient's meter: its series carry each endpoint's host, one per webhook; herald.attempts.duration covers attempts.
                metrics.AddMeter(HeraldMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter(prometheus =>
                    {
                        // Each scrape collects afresh: it only reads memory (the queue gauges read the last sample).
                        prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                    });
                if (exportOtlp)
                {
                    metrics.AddOtlpExporter(otlp => ConfigureOtlp(otlp, otlpEndpoint, protocol, "v1/metrics"));
                }
            });
        if (exportOtlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(HeraldMetrics.MeterName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !UnsampledPaths.Any(path => context.Request.Path.StartsWithSegments(path)))
                .AddHttpClientInstrumentation(http => http.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    // A webhook URL's path and query may hold the receiver's own secret (a token in the URL): spans keep the origin only.
                    if (request.RequestUri is { IsAbsoluteUri: true } uri)
                    {
                        activity.SetTag("url.full", $"{uri.Scheme}://{uri.Host}:{uri.Port}/");
                    }
                })
                .AddOtlpExporter(otlp => ConfigureOtlp(otlp, otlpEndpoint, protocol, "v1/traces")));
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c>: to the admin key on the main URLs, and to anyone on <see cref="ObservabilityOptions.MetricsPort"/>
    /// when set (that port answers nothing else). Call first, before any other middleware.
    /// </summary>
    public static WebApplication MapHeraldObservability(this WebApplication app)
    {
        // Built now, before the engine's services: measurements made while they start (the zeros of known series) count.
        var meterProvider = app.Services.GetRequiredService<MeterProvider>();
        if (app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.MetricsPort is { } port)
        {
            app.MapWhen(context => context.Connection.LocalPort == port, metricsOnly =>
            {
                metricsOnly.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, context => context.Request.Path == MetricsPath, path: null, configureBranchedPipeline: null, optionsName: null);
                metricsOnly.Run(context =>
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                });
            });
        }

        // Prometheus' text format, not JSON: left out of the API reference, described in docs/observability.md.
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(HeraldPolicies.Admin).ExcludeFromDescription();
        return app;
    }

    /// <summary>Adds a plain-HTTP URL on the metrics port for each host the server listens on.</summary>
    private static void AddMetricsPortUrls(WebApplicationBuilder builder, int? port)
    {
        if (port is not ({ } metricsPort and >= 1 and <= 65535))
        {
            return;
        }

        var urls = (builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hosts = urls.Select(url => BindingAddress.Parse(url))
            .Where(address => !address.IsNamedPipe && !address.IsUnixPipe)
            .Select(address => address.Host)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .DefaultIfEmpty("127.0.0.1");
        builder.WebHost.UseUrls([.. urls, .. hosts.Select(host => $"http://{host}:{metricsPort}")]);
    }

    private static void ConfigureOtlp(OtlpExporterOptions otlp, string? endpoint, string protocol, string signalPath)
    {
        var httpProtobuf = protocol == "http/protobuf";
        otlp.Protocol = httpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        if (endpoint is not null)
        {
            // As OTEL_EXPORTER_OTLP_ENDPOINT does: over HTTP the signal's path goes after the base URL.
            otlp.Endpoint = httpProtobuf ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath) : new Uri(endpoint);
        }
    }
}
