using System.Security.Claims;
using Herald.Core.Deliveries;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api.Stats;

/// <summary>Statistics for charts, scoped like the delivery log: a tenant sees its own webhooks' attempts, a partner app its own.</summary>
internal static class StatsEndpoints
{
    public static RouteGroupBuilder MapStatsEndpoints(this RouteGroupBuilder api, string policy)
    {
        api.MapGet("/stats/deliveries", GetDeliveryStatsAsync).RequireAuthorization(policy)
            .WithTags(policy == HeraldPolicies.Partner ? "Partner" : "Deliveries").ProducesApiErrors(400, 401, 404)
            .WithSummary("Delivery attempts per bucket by outcome, success rate and latency")
            .WithDescription(
                "Attempts started in [`from`, `to`) (ISO 8601 instants; default: the last hour up to now), in buckets of a `minute` (default), " +
                "`hour` or `day`, at most 1440 buckets. Narrow to one webhook with `webhook_id` or one account with `account_id`. " +
                "Outcomes: `succeeded` (200, or any 2xx when Herald:Delivery:AcceptAny2xx is on), `failed` (another status), " +
                "`errored` (no answer). Latency percentiles are estimated from a histogram with bounds 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10, 15, 30 s.");
        return api;
    }

    private static async Task<Ok<DeliveryStatsResponse>> GetDeliveryStatsAsync(
        [FromQuery(Name = "webhook_id")] string? webhookId,
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "bucket")] string? bucket,
        ClaimsPrincipal user,
        DeliveryStats stats,
        CancellationToken cancellationToken)
    {
        var result = await stats.GetAsync(
            user.ToCaller(), NullIfEmpty(accountId), NullIfEmpty(webhookId), ApiTime.ParseQuery(from, "from"), ApiTime.ParseQuery(to, "to"), NullIfEmpty(bucket), cancellationToken);
        return TypedResults.Ok(DeliveryStatsResponse.Of(result));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
