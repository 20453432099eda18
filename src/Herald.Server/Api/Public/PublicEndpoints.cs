using Herald.Contracts.Events;
using Herald.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Server.Api.Public;

/// <summary>Routes without authentication: the event catalog and health probes.</summary>
internal static class PublicEndpoints
{
    public static IEndpointRouteBuilder MapPublicEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapGet("/event_types", () => TypedResults.Ok(new ListResponse<EventTypeResponse>([.. EventCatalog.All.Select(t => new EventTypeResponse(t.Name, t.Description))], false)))
            .WithTags("Events").WithSummary("The event catalog").AllowAnonymous();

        app.MapGet("/healthz", (HealthCheckService health, CancellationToken cancellationToken) => CheckAsync(health, HealthTags.Live, "ok", cancellationToken))
            .WithTags("Health").WithSummary("Liveness: the delivery dispatcher runs (503 when it has stopped)");
        app.MapGet("/readyz", (HealthCheckService health, CancellationToken cancellationToken) => CheckAsync(health, HealthTags.Ready, "ready", cancellationToken))
            .WithTags("Health").WithSummary("Readiness: the database answers and the dispatcher runs (503 otherwise)");
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> CheckAsync(
        HealthCheckService health, string tag, string healthyStatus, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(registration => registration.Tags.Contains(tag), cancellationToken);
        var checks = report.Entries.ToDictionary(entry => entry.Key, entry => entry.Value.Description ?? entry.Value.Status.ToString(), StringComparer.Ordinal);
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(new HealthResponse(healthyStatus, checks))
            : TypedResults.Json(new HealthResponse("unavailable", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
