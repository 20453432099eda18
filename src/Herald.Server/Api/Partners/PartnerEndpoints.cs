using System.Security.Claims;
using Herald.Core.Partners;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api.Partners;

/// <summary>Partner apps (the operator registers them) and connections (accounts authorize and disconnect apps; apps list theirs).</summary>
internal static class PartnerEndpoints
{
    public static RouteGroupBuilder MapPartnerEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/apps/create", CreateAppAsync).RequireAuthorization(HeraldPolicies.Admin).WithTags("Operator")
            .WithSummary("Register a partner app (its client secret is shown once)").ProducesApiErrors(400, 401);

        var connections = api.MapGroup("/connections").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Connections").ProducesApiErrors();
        connections.MapGet("/", ListAsync).WithSummary("List the apps the accounts authorized");
        connections.MapPost("/create", ConnectAsync).WithSummary("Authorize an app for an account (201; 200 when already active)");
        connections.MapPost("/disconnect", DisconnectAsync).WithSummary("Disconnect accounts or a whole organization from an app; emits partner_connection.disconnected");
        return api;
    }

    /// <summary><c>GET /partner-api/v1/connections</c>: the accounts that authorized (or once authorized) the calling app.</summary>
    public static RouteGroupBuilder MapPartnerConnectionEndpoints(this RouteGroupBuilder partnerApi)
    {
        partnerApi.MapGet("/connections", ListAsync).RequireAuthorization(HeraldPolicies.Partner).WithTags("Partner")
            .WithSummary("List the accounts connected to the app").ProducesApiErrors();
        return partnerApi;
    }

    private static async Task<Created<AppResponse>> CreateAppAsync(CreateAppRequest body, PartnerConnections partners, CancellationToken cancellationToken)
    {
        var (app, secret) = await partners.CreateAppAsync(body.Name, cancellationToken);
        return TypedResults.Created((string?)null, new AppResponse(app.Id, app.Name, app.ClientId, secret, ApiTime.Format(app.CreatedAt)));
    }

    private static async Task<Ok<ListResponse<ConnectionResponse>>> ListAsync(
        [AsParameters] PageQuery paging,
        [FromQuery(Name = "account_id")] string? accountId,
        [FromQuery(Name = "app_id")] string? appId,
        [FromQuery(Name = "status")] string? status,
        ClaimsPrincipal user,
        PartnerConnections partners,
        CancellationToken cancellationToken)
    {
        var page = await partners.ListAsync(
            user.ToCaller(), NullIfEmpty(accountId), NullIfEmpty(appId), NullIfEmpty(status), paging.ToPage(), cancellationToken);
        return TypedResults.Ok(ListResponse<ConnectionResponse>.From(page, ConnectionResponse.From));
    }

    private static async Task<Results<Created<ConnectionResponse>, Ok<ConnectionResponse>>> ConnectAsync(
        CreateConnectionRequest body, ClaimsPrincipal user, PartnerConnections partners, CancellationToken cancellationToken)
    {
        var outcome = await partners.ConnectAsync(user.ToCaller(), body.AppId, body.AccountId, cancellationToken);
        var response = ConnectionResponse.From(outcome.Connection);
        return outcome.Changed ? TypedResults.Created((string?)null, response) : TypedResults.Ok(response);
    }

    private static async Task<Ok<DisconnectResponse>> DisconnectAsync(DisconnectRequestBody body, ClaimsPrincipal user, PartnerConnections partners, CancellationToken cancellationToken)
    {
        var result = await partners.DisconnectAsync(user.ToCaller(), new DisconnectRequest(body.AppId, body.AccountId, body.AccountIds, body.OrgId), cancellationToken);
        return TypedResults.Ok(DisconnectResponse.From(result));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
