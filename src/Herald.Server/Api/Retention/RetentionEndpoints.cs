using Herald.Core.Retention;
using Herald.Server.Auth;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api.Retention;

/// <summary>How far back the event and delivery log goes: <c>GET /api/v1/retention</c>.</summary>
internal static class RetentionEndpoints
{
    public static RouteGroupBuilder MapRetentionEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/retention", Get).RequireAuthorization(HeraldPolicies.Tenant).WithTags("Events")
            .WithSummary("How long events, deliveries and attempts are kept, and the oldest ingest time the log still holds").ProducesApiErrors(401);
        return api;
    }

    private static Ok<RetentionResponse> Get(RetentionSweeper sweeper, IOptions<RetentionOptions> options) =>
        TypedResults.Ok(new RetentionResponse(
            options.Value.Period > TimeSpan.Zero ? (int)Math.Round(options.Value.Period.TotalDays) : null,
            ApiTime.Format(sweeper.KeptSince)));
}

/// <summary>The log's reach: kept for <see cref="PeriodDays"/> days (null: for ever), so nothing ingested before <see cref="KeptSince"/>.</summary>
internal sealed record RetentionResponse(int? PeriodDays, string? KeptSince);
