using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Reading events: list with filters and get one, as the envelopes endpoints receive.</summary>
internal static class EventEndpoints
{
    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Events");
        events.MapGet("/", ListAsync);
        events.MapGet("/{id}", GetAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHeraldStore store, TenantResolver tenants)
    {
        var request = context.Request;
        var scope = await tenants.ResolveScopeAsync(context.GetCaller(), Paging.Query(request, "account_id"), context.RequestAborted);
        var name = Paging.Query(request, "name");
        if (name is not null && !EventCatalog.Contains(name))
        {
            throw ApiException.Validation($"Unknown event name '{name}'; GET /api/v1/event_types lists the accepted names.", "name");
        }

        var filter = new EventFilter(name, ReadInstant(request, "from_created_at"), ReadInstant(request, "to_created_at"));
        var page = await store.ListEventsAsync(scope, filter, Paging.FromQuery(request), context.RequestAborted);
        return RawEventResults.List(page.Items, page.HasMore);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IHeraldStore store)
    {
        var record = await store.GetEventAsync(id, context.GetCaller().Scope, context.RequestAborted)
            ?? throw ApiException.NotFound($"No event {id}.");
        return RawEventResults.Single(record, 200);
    }

    private static long? ReadInstant(HttpRequest request, string name)
    {
        var text = Paging.Query(request, name);
        if (text is null)
        {
            return null;
        }

        return WebhookTimestamps.TryParse(text, out var instant)
            ? instant.ToUnixTimeMilliseconds()
            : throw ApiException.Validation($"{name} must be an ISO 8601 instant with an offset, e.g. 2026-05-20T13:54:20+0000.", name);
    }
}
