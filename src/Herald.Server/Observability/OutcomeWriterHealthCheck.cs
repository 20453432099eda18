using Herald.Core.Dispatch;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Herald.Server.Observability;

/// <summary>
/// Degraded when attempt outcomes have failed to be written for longer than
/// <see cref="ObservabilityOptions.OutcomeWritesDegradedAfter"/>: attempts are made but not recorded, so the node soon
/// stops taking work and their leases are extended meanwhile. Degraded, not unhealthy: the node still serves the API
/// and keeps what it has; the answer names what to look at (usually the database check fails alongside).
/// </summary>
internal sealed class OutcomeWriterHealthCheck(DeliveryOutcomeWriter writer, IOptions<ObservabilityOptions> options) : IHealthCheck
{
    public const string Name = "outcome_writer";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failingFor = writer.FailingFor;
        return Task.FromResult(failingFor > options.Value.OutcomeWritesDegradedAfter
            ? HealthCheckResult.Degraded($"Attempt outcomes have failed to be written for {failingFor.TotalSeconds:0} s ({writer.Backlog} waiting).")
            : HealthCheckResult.Healthy());
    }
}
