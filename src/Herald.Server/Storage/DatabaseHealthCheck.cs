using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Server.Storage;

/// <summary>Healthy when the database answers a trivial query; a node that cannot reach it should not take traffic.</summary>
internal sealed class DatabaseHealthCheck(SqlDatabase database) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await database.IsReachableAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database did not answer SELECT 1.");
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.", exception);
        }
    }
}
