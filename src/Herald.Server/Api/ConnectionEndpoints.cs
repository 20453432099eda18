using Herald.Server.Auth;
using Herald.Server.Partners;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Partner apps (admin creates them) and connections (accounts authorize and disconnect apps), from both sides.</summary>
internal static class ConnectionEndpoints
{
    public static RouteGroupBuilder MapConnectionEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/apps/create", CreateAppAsync).RequireAuthorization(HeraldPolicies.Admin).WithTags("Operator");

        var connections = api.MapGroup("/connections").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Connections");
        connections.MapGet("/", ListAsync);
        connections.MapPost("/create", CreateAsync);
        connections.MapPost("/disconnect", DisconnectAsync);
        return api;
    }

    /// <summary><c>GET /partner-api/v1/connections</c>: the accounts that authorized (or once authorized) the calling app.</summary>
    public static RouteGroupBuilder MapPartnerConnectionEndpoints(this RouteGroupBuilder partnerApi)
    {
        partnerApi.MapGet("/connections", ListAsync).RequireAuthorization(HeraldPolicies.Partner).WithTags("Partner");
        return partnerApi;
    }

    private static async Task<IResult> CreateAppAsync(HttpRequest request, IHeraldStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.CreateAppRequest);
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
        {
            throw ApiException.Validation("name is required: 1 to 200 characters.", "name");
        }

        var secret = "hcs_" + Ids.RandomBase64Url(32);
        var record = new AppRecord
        {
            Id = Ids.New(Ids.App),
            Name = body.Name.Trim(),
            ClientId = Ids.RandomBase64Url(16),
            ClientSecretHash = SecretHasher.Hash(secret),
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await store.CreateAppAsync(record, request.HttpContext.RequestAborted);
        return TypedResults.Json(
            new AppResponse(record.Id, record.Name, record.ClientId, secret, ApiMapper.Time(record.CreatedAt)), ApiJson.Context.AppResponse, statusCode: 201);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHeraldStore store, TenantResolver tenants)
    {
        var request = context.Request;
        var caller = context.GetCaller();
        var accountId = Paging.Query(request, "account_id");
        var status = Paging.Query(request, "status");
        if (status is not null && !ConnectionStatus.IsKnown(status))
        {
            throw ApiException.Validation("status must be ACTIVE or DISCONNECTED.", "status");
        }

        // An app filters its own connections by account; a tenant's account_id narrows (and checks) its scope.
        var scope = caller.Kind == CallerKind.App ? caller.Scope : await tenants.ResolveScopeAsync(caller, accountId, context.RequestAborted);
        var filter = new ConnectionFilter(caller.Kind == CallerKind.App ? accountId : null, caller.Kind == CallerKind.App ? null : Paging.Query(request, "app_id"), status);
        var page = await store.ListConnectionsAsync(scope, filter, Paging.FromQuery(request), context.RequestAborted);
        return TypedResults.Json(page.ToList(c => c.ToResponse()), ApiJson.Context.ListResponseConnectionResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, PartnerConnections connections)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.CreateConnectionRequest);
        var outcome = await connections.ConnectAsync(context.GetCaller(), body, context.RequestAborted);
        return TypedResults.Json(outcome.Connection.ToResponse(), ApiJson.Context.ConnectionResponse, statusCode: outcome.Changed ? 201 : 200);
    }

    private static async Task<IResult> DisconnectAsync(HttpContext context, PartnerConnections connections)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.DisconnectRequest);
        var result = await connections.DisconnectAsync(context.GetCaller(), body, context.RequestAborted);
        return TypedResults.Json(result, ApiJson.Context.DisconnectResponse);
    }
}
