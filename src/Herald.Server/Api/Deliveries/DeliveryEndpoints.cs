using System.Security.Claims;
using Herald.Core.Deliveries;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api.Deliveries;

/// <summary>
/// The delivery log, the same on both APIs: search, inspect attempts, retrigger. A partner app sees its webhooks'
/// deliveries of every connected account's events and of its partner events.
/// </summary>
internal static class DeliveryEndpoints
{
    public static RouteGroupBuilder MapDeliveryEndpoints(this RouteGroupBuilder api, string policy)
    {
        var deliveries = api.MapGroup("/deliveries").RequireAuthorization(policy).WithTags(policy == HeraldPolicies.Partner ? "Partner" : "Deliveries").ProducesApiErrors();
        deliveries.MapGet("/", ListAsync).WithSummary("List deliveries, newest first")
            .WithDescription("Filters: `webhook_id`, `event_id`, `status` (queued, success, failed, cancelled), `account_id`, and `from_created_at`/`to_created_at` (ISO 8601 instants, inclusive).");
        deliveries.MapGet("/{id}", GetAsync).WithSummary("Get one delivery with every attempt");
        deliveries.MapPost("/retrigger", RetriggerAsync).WithSummary("Queue up to 50 deliveries again for a fresh round of retries");
        return api;
    }

    private static async Task<Ok<ListResponse<DeliveryResponse>>> ListAsync(
        [AsParameters] PageQuery paging,
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "webhook_id")] string? webhookId,
        [FromQuery(Name = "event_id")] string? eventId,
        [FromQuery(Name = "status")] string? status,
        [FromQuery(Name = "from_created_at")] string? fromCreatedAt,
        [FromQuery(Name = "to_created_at")] string? toCreatedAt,
        ClaimsPrincipal user,
        DeliveryLog log,
        CancellationToken cancellationToken)
    {
        var filter = new DeliveryFilter(
            NullIfEmpty(webhookId), NullIfEmpty(eventId), NullIfEmpty(status),
            ApiTime.ParseQuery(fromCreatedAt, "from_created_at"), ApiTime.ParseQuery(toCreatedAt, "to_created_at"));
        var page = await log.ListAsync(user.ToCaller(), NullIfEmpty(accountId), filter, paging.ToPage(), cancellationToken);
        return TypedResults.Ok(ListResponse<DeliveryResponse>.From(page, d => DeliveryResponse.From(d)));
    }

    private static async Task<Ok<DeliveryResponse>> GetAsync(string id, ClaimsPrincipal user, DeliveryLog log, CancellationToken cancellationToken)
    {
        var (delivery, attempts) = await log.GetAsync(user.ToCaller(), id, cancellationToken);
        return TypedResults.Ok(DeliveryResponse.From(delivery, attempts));
    }

    private static async Task<Ok<RetriggerResponse>> RetriggerAsync(RetriggerRequest body, ClaimsPrincipal user, DeliveryLog log, CancellationToken cancellationToken)
    {
        var retriggered = await log.RetriggerAsync(user.ToCaller(), body.Ids, cancellationToken);
        return TypedResults.Ok(new RetriggerResponse([.. retriggered.Select(d => DeliveryResponse.From(d))]));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
