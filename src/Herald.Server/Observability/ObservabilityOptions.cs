using Microsoft.Extensions.Options;

namespace Herald.Server.Observability;

/// <summary>Metrics, traces and the health of the engine's parts. Bound from <c>Herald:Observability</c>; docs/observability.md.</summary>
internal sealed class ObservabilityOptions
{
    public const string SectionName = "Herald:Observability";

    /// <summary>The OTLP protocols the exporter speaks.</summary>
    public static readonly IReadOnlyList<string> OtlpProtocols = ["grpc", "http/protobuf"];

    /// <summary>
    /// Also serve <c>/metrics</c> without a key on this port (on the hosts of the main URLs, plain HTTP), for a
    /// Prometheus that should not hold the admin key; only <c>/metrics</c> answers there. Default none: <c>/metrics</c>
    /// is served on the main URLs only, to the admin key.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>
    /// Where to export metrics and traces over OTLP, e.g. <c>http://collector:4317</c> (gRPC) or
    /// <c>http://collector:4318</c> (HTTP, <c>/v1/traces</c> and <c>/v1/metrics</c> are appended). Default none: no
    /// export, unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>. Default: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else <c>grpc</c>.</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> of exported telemetry. Default <c>herald</c>; <c>OTEL_SERVICE_NAME</c> wins when set.</summary>
    public string ServiceName { get; set; } = "herald";

    /// <summary>How often each node counts the queue for the <c>herald.queue.*</c> gauges (scrapes read the last count). Default 15 s; zero turns the counts off.</summary>
    public TimeSpan QueueSampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Each queue count stops here, so a count costs at most this many index entries however long the queue is. Default 100,000.</summary>
    public int QueueCountLimit { get; set; } = 100_000;

    /// <summary>When attempt outcomes have failed to be written for this long, <c>/readyz</c> reports the node degraded. Default 30 s.</summary>
    public TimeSpan OutcomeWritesDegradedAfter { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options)
    {
        var failures = new List<string>();
        if (options.MetricsPort is < 1 or > 65535)
        {
            failures.Add("MetricsPort must be a TCP port (1 to 65535), or unset to serve /metrics on the main URLs only.");
        }

        if (options.OtlpEndpoint is { Length: > 0 } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            failures.Add("OtlpEndpoint must be an absolute http:// or https:// URL, e.g. http://collector:4317.");
        }

        if (options.OtlpProtocol is { } protocol && !ObservabilityOptions.OtlpProtocols.Contains(protocol, StringComparer.Ordinal))
        {
            failures.Add($"OtlpProtocol must be one of {string.Join(", ", ObservabilityOptions.OtlpProtocols)}.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add("ServiceName must not be empty.");
        }

        if (options.QueueSampleInterval < TimeSpan.Zero || (options.QueueSampleInterval > TimeSpan.Zero && options.QueueSampleInterval < TimeSpan.FromSeconds(1))
            || options.QueueSampleInterval > TimeSpan.FromDays(1))
        {
            failures.Add("QueueSampleInterval must be zero (no queue counts) or between 1 second and 1 day.");
        }

        if (options.QueueCountLimit is < 1 or > 100_000_000)
        {
            failures.Add("QueueCountLimit must be between 1 and 100,000,000.");
        }

        if (options.OutcomeWritesDegradedAfter <= TimeSpan.Zero)
        {
            failures.Add("OutcomeWritesDegradedAfter must be above zero.");
        }

        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(failure => $"{ObservabilityOptions.SectionName}: {failure}"));
    }
}
