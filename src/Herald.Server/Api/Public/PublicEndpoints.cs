using Herald.Contracts.Events;
using Herald.Server.Storage;

namespace Herald.Server.Api.Public;

/// <summary>Routes without authentication: the event catalog and health probes.</summary>
internal static class PublicEndpoints
{
    public static IEndpointRouteBuilder MapPublicEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapGet("/event_types", () => TypedResults.Ok(new ListResponse<EventTypeResponse>([.. EventCatalog.All.Select(t => new EventTypeResponse(t.Name, t.Description))], false)))
            .WithTags("Events").WithSummary("The event catalog").AllowAnonymous();

        app.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok"))).WithTags("Health").WithSummary("The process is up");
        app.MapGet("/readyz", ReadyAsync).WithTags("Health").WithSummary("The database answers (503 when it does not)");
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> ReadyAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            if (await database.IsReachableAsync(cancellationToken))
            {
                return TypedResults.Ok(new HealthResponse("ready"));
            }
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
        }

        return TypedResults.Json(new HealthResponse("database unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
