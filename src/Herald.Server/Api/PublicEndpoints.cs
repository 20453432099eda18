using Herald.Contracts.Events;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Routes without authentication: the event catalog and health probes.</summary>
internal static class PublicEndpoints
{
    public static IEndpointRouteBuilder MapPublicEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapGet("/event_types", () => TypedResults.Json(
            new ListResponse<EventTypeResponse>(EventCatalog.All.Select(t => new EventTypeResponse(t.Name, t.Description)).ToList(), false),
            ApiJson.Context.ListResponseEventTypeResponse)).WithTags("Events").AllowAnonymous();

        app.MapGet("/healthz", () => TypedResults.Json(new HealthResponse("ok"), ApiJson.Context.HealthResponse)).WithTags("Health");
        app.MapGet("/readyz", async (IHeraldStore store, CancellationToken cancellationToken) =>
        {
            try
            {
                return await store.IsReadyAsync(cancellationToken)
                    ? TypedResults.Json(new HealthResponse("ready"), ApiJson.Context.HealthResponse)
                    : TypedResults.Json(new HealthResponse("database unavailable"), ApiJson.Context.HealthResponse, statusCode: 503);
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return TypedResults.Json(new HealthResponse("database unavailable"), ApiJson.Context.HealthResponse, statusCode: 503);
            }
        }).WithTags("Health");
        return app;
    }
}
