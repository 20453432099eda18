using Herald.Core.Deliveries;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Healthy while the dispatcher's claim loop goes round: it does at least once per poll interval, and a failed claim
/// (the database away) still comes round after the interval. Unhealthy when the loop ended or has not come round for
/// ten intervals (at least 30 s): delivery has stopped on this node.
/// </summary>
internal sealed class DispatcherHealthCheck(DeliveryDispatcher dispatcher, TimeProvider timeProvider, IOptions<DeliveryOptions> options) : IHealthCheck
{
    public const string Name = "dispatcher";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (dispatcher.HasDied)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The delivery dispatcher has stopped; deliveries are not being sent from this node."));
        }

        var limit = TimeSpan.FromTicks(Math.Max(options.Value.PollInterval.Ticks * 10, TimeSpan.FromSeconds(30).Ticks));
        var heartbeat = dispatcher.Heartbeat;
        var silent = heartbeat == 0 ? TimeSpan.Zero : timeProvider.GetElapsedTime(heartbeat);
        return Task.FromResult(silent > limit
            ? HealthCheckResult.Unhealthy($"The delivery dispatcher has not claimed for {silent.TotalSeconds:0} s.")
            : HealthCheckResult.Healthy());
    }
}
