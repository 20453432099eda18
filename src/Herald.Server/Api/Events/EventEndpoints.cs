using System.Security.Claims;
using Herald.Core.Events;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api.Events;

/// <summary>Publishing events (operator) and reading them (tenants), as the envelopes endpoints receive.</summary>
internal static class EventEndpoints
{
    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        var publish = api.MapGroup("/events").RequireAuthorization(HeraldPolicies.Admin).WithTags("Events");
        publish.MapPost("/create", CreateAsync).WithSummary("Publish an event (201; 200 for a repeated id with the same content)").ProducesApiErrors(400, 401, 404, 409, 413);
        publish.MapPost("/batch_create", BatchCreateAsync).WithSummary("Publish up to 1000 events, all or nothing").ProducesApiErrors(400, 401, 404, 409, 413)
            .WithMetadata(new BodySizeLimit(((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBatchRequestBodyBytes));

        var events = api.MapGroup("/events").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Events");
        events.MapGet("/", ListAsync).WithSummary("List events, newest first")
            .WithDescription("Filters: `id` (exact), `name` (a catalog name), `account_id`, and `from_created_at`/`to_created_at` (ISO 8601 instants, inclusive). Items are the envelopes exactly as endpoints receive them.");
        events.MapGet("/stream", StreamAsync)
            .WithSummary("New events as Server-Sent Events (herald listen, herald events tail); resume with Last-Event-ID")
            .ProducesApiErrors(400, 401, 404)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?["200"].Content?["text/event-stream"] is { } stream)
                {
                    stream.Schema = new Microsoft.OpenApi.OpenApiSchema
                    {
                        Type = Microsoft.OpenApi.JsonSchemaType.String,
                        Description = "Messages `id: <cursor>`, `event: event`, `data: <the event envelope, one line>`, separated by blank lines; `:` lines keep the connection alive.",
                    };
                }

                return Task.CompletedTask;
            });
        events.MapGet("/{id}", GetAsync).WithSummary("Get one event's envelope");
        return api;
    }

    private static async Task<EnvelopeResult> CreateAsync(CreateEventRequest body, EventIngestor ingestor, CancellationToken cancellationToken)
    {
        var result = await ingestor.PublishAsync(ToPublish(body), cancellationToken);
        return new EnvelopeResult(result.Event, result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<EnvelopeListResult> BatchCreateAsync(BatchCreateEventsRequest body, EventIngestor ingestor, CancellationToken cancellationToken)
    {
        var results = await ingestor.PublishBatchAsync(body.Events?.Select(e => e is null ? null : ToPublish(e)).ToList(), cancellationToken);
        return new EnvelopeListResult([.. results.Select(r => r.Event)], hasMore: false, StatusCodes.Status201Created);
    }

    private static async Task<EnvelopeListResult> ListAsync(
        [AsParameters] PageQuery paging,
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "id")] string? id,
        [FromQuery(Name = "name")] string? name,
        [FromQuery(Name = "from_created_at")] string? fromCreatedAt,
        [FromQuery(Name = "to_created_at")] string? toCreatedAt,
        ClaimsPrincipal user,
        EventLog events,
        CancellationToken cancellationToken)
    {
        var filter = new EventFilter(
            string.IsNullOrEmpty(name) ? null : name,
            ApiTime.ParseQuery(fromCreatedAt, "from_created_at"),
            ApiTime.ParseQuery(toCreatedAt, "to_created_at"),
            NullIfEmpty(id));
        var page = await events.ListAsync(user.ToCaller(), NullIfEmpty(accountId), filter, paging.ToPage(), cancellationToken);
        return new EnvelopeListResult(page.Items, page.HasMore, StatusCodes.Status200OK);
    }

    private static async Task<EnvelopeResult> GetAsync(string id, ClaimsPrincipal user, EventLog events, CancellationToken cancellationToken) =>
        new(await events.GetAsync(user.ToCaller(), id, cancellationToken), StatusCodes.Status200OK);

    private static async Task<EventStreamResult> StreamAsync(
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "events")] string? names,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        ClaimsPrincipal user,
        EventFeed feed,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken)
    {
        FeedPosition? after = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            after = FeedPosition.TryParse(lastEventId, out var position)
                ? position
                : throw Herald.Core.HeraldException.Validation("Last-Event-ID must be the id of an event this stream sent; omit it to start with new events.", "Last-Event-ID");
        }

        var filter = string.IsNullOrEmpty(names) ? null : names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = filter?.FirstOrDefault(name => !Herald.Contracts.Events.EventCatalog.Contains(name));
        if (unknown is not null)
        {
            throw Herald.Core.HeraldException.Validation($"Unknown event name '{unknown}' in events; GET /api/v1/event_types lists the accepted names.", "events");
        }

        var scope = await feed.ScopeAsync(user.ToCaller(), NullIfEmpty(accountId), cancellationToken);
        return new EventStreamResult(feed, scope, filter, after, time, lifetime.ApplicationStopping);
    }

    private static PublishEvent ToPublish(CreateEventRequest body) => new(body.Id, body.Name, body.AccountId, body.Data, body.CreatedAt, body.Version);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
