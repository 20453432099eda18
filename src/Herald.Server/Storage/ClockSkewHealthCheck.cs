using Herald.Core.Deliveries;
using Herald.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

/// <summary>
/// Compares this node's clock with the database's (PostgreSQL, where several nodes share leases). Leases and retry
/// times come from each node's clock, so a node whose clock is far off could take a lease another node still holds;
/// beyond <see cref="DeliveryOptions.MaxClockSkew"/> readiness reports it as degraded (the node keeps working: fix NTP).
/// </summary>
internal sealed class ClockSkewHealthCheck(SqlDatabase database, TimeProvider timeProvider, IOptions<DeliveryOptions> options) : IHealthCheck
{
    public const string Name = "clock";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (database.Dialect != SchemaDialect.Postgres)
        {
            return HealthCheckResult.Healthy("One node on SQLite: no clock to agree with.");
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(null, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
        var databaseNow = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        var skew = TimeSpan.FromMilliseconds(timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - databaseNow);
        return skew.Duration() > options.Value.MaxClockSkew
            ? HealthCheckResult.Degraded($"This node's clock is {skew.TotalSeconds:0.0} s off the database's (more than {options.Value.MaxClockSkew.TotalSeconds:0} s): leases may be taken early; check NTP.")
            : HealthCheckResult.Healthy();
    }
}
