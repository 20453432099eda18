using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>The delivery log: search, inspect attempts, retrigger.</summary>
internal static class DeliveryEndpoints
{
    public const int MaxRetrigger = 50;

    public static RouteGroupBuilder MapDeliveryEndpoints(this RouteGroupBuilder api)
    {
        var deliveries = api.MapGroup("/deliveries").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Deliveries");
        deliveries.MapGet("/", ListAsync);
        deliveries.MapGet("/{id}", GetAsync);
        deliveries.MapPost("/retrigger", RetriggerAsync);
        return api;
    }

    /// <summary>The partner app's delivery log: its webhooks' deliveries of every connected account's events and its partner events.</summary>
    public static RouteGroupBuilder MapPartnerDeliveryEndpoints(this RouteGroupBuilder partnerApi)
    {
        var deliveries = partnerApi.MapGroup("/deliveries").RequireAuthorization(HeraldPolicies.Partner).WithTags("Partner");
        deliveries.MapGet("/", ListAsync);
        deliveries.MapGet("/{id}", GetAsync);
        deliveries.MapPost("/retrigger", RetriggerAsync);
        return partnerApi;
    }

    internal static async Task<IResult> ListAsync(HttpContext context, IHeraldStore store, TenantResolver tenants)
    {
        var request = context.Request;
        var scope = await tenants.ResolveScopeAsync(context.GetCaller(), Paging.Query(request, "account_id"), context.RequestAborted);
        var status = Paging.Query(request, "status");
        if (status is not null && !DeliveryStatus.IsKnown(status))
        {
            throw ApiException.Validation("status must be one of queued, success, failed, cancelled.", "status");
        }

        var filter = new DeliveryFilter(Paging.Query(request, "webhook_id"), Paging.Query(request, "event_id"), status);
        var page = await store.ListDeliveriesAsync(scope, filter, Paging.FromQuery(request), context.RequestAborted);
        return TypedResults.Json(page.ToList(d => d.ToResponse()), ApiJson.Context.ListResponseDeliveryResponse);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IHeraldStore store)
    {
        var (delivery, attempts) = await store.GetDeliveryWithAttemptsAsync(id, context.GetCaller().Scope, context.RequestAborted)
            ?? throw ApiException.NotFound($"No delivery {id}.");
        return TypedResults.Json(delivery.ToResponse(attempts), ApiJson.Context.DeliveryResponse);
    }

    internal static async Task<IResult> RetriggerAsync(HttpContext context, IHeraldStore store, DispatchSignal signal, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.RetriggerRequest);
        if (body.Ids is not { Count: > 0 } ids || ids.Count > MaxRetrigger)
        {
            throw ApiException.Validation($"ids is required: 1 to {MaxRetrigger} delivery ids.", "ids");
        }

        var scope = context.GetCaller().Scope;
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var found = await store.GetDeliveriesAsync(distinct, scope, context.RequestAborted);
        var missing = distinct.FirstOrDefault(id => found.All(d => d.Id != id));
        if (missing is not null)
        {
            throw ApiException.NotFound($"No delivery {missing}.", $"ids[{ids.IndexOf(missing)}]");
        }

        foreach (var delivery in found)
        {
            var webhook = await store.GetWebhookAsync(delivery.WebhookId, scope, context.RequestAborted);
            if (webhook is not { IsEnabled: true })
            {
                throw ApiException.Validation(
                    $"Delivery {delivery.Id} belongs to webhook {delivery.WebhookId}, which is disabled or deleted; enable it before retriggering.",
                    $"ids[{ids.IndexOf(delivery.Id)}]");
            }
        }

        await store.RetriggerAsync(distinct, time.GetUtcNow().ToUnixTimeMilliseconds(), context.RequestAborted);
        signal.Notify();
        var updated = await store.GetDeliveriesAsync(distinct, scope, context.RequestAborted);
        return TypedResults.Json(new RetriggerResponse(updated.Select(d => d.ToResponse()).ToList()), ApiJson.Context.RetriggerResponse);
    }
}
