using Herald.Server.Auth;
using Herald.Server.Events;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Operator routes (admin key): organizations, accounts, API keys, publishing events.</summary>
internal static class OperatorEndpoints
{
    public static RouteGroupBuilder MapOperatorEndpoints(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup(string.Empty).RequireAuthorization(HeraldPolicies.Admin).WithTags("Operator");
        admin.MapPost("/organizations/create", CreateOrganizationAsync);
        admin.MapPost("/accounts/create", CreateAccountAsync);
        admin.MapPost("/api_keys/create", CreateApiKeyAsync);
        admin.MapPost("/events/create", CreateEventAsync);
        admin.MapPost("/events/batch_create", BatchCreateEventsAsync);
        return api;
    }

    private static async Task<IResult> CreateOrganizationAsync(HttpRequest request, IHeraldStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.CreateOrganizationRequest);
        var name = RequireName(body.Name);
        var record = new OrganizationRecord { Id = Ids.New(Ids.Organization), Name = name, CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
        await store.CreateOrganizationAsync(record, request.HttpContext.RequestAborted);
        return TypedResults.Json(record.ToResponse(), ApiJson.Context.OrganizationResponse, statusCode: 201);
    }

    private static async Task<IResult> CreateAccountAsync(HttpRequest request, IHeraldStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.CreateAccountRequest);
        var name = RequireName(body.Name);
        if (body.OrgId is not null && await store.GetOrganizationAsync(body.OrgId, request.HttpContext.RequestAborted) is null)
        {
            throw ApiException.NotFound($"No organization {body.OrgId}.", "org_id");
        }

        var record = new AccountRecord { Id = Ids.New(Ids.Account), Name = name, OrgId = body.OrgId, CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
        await store.CreateAccountAsync(record, request.HttpContext.RequestAborted);
        return TypedResults.Json(record.ToResponse(), ApiJson.Context.AccountResponse, statusCode: 201);
    }

    private static async Task<IResult> CreateApiKeyAsync(HttpRequest request, IHeraldStore store, TimeProvider time)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.CreateApiKeyRequest);
        var cancellationToken = request.HttpContext.RequestAborted;
        if ((body.AccountId is null) == (body.OrgId is null))
        {
            throw ApiException.Validation("Give exactly one of account_id or org_id: the tenant the key acts for.", "account_id");
        }

        if (body.AccountId is not null && await store.GetAccountAsync(body.AccountId, OwnerScope.Everything, cancellationToken) is null)
        {
            throw ApiException.NotFound($"No account {body.AccountId}.", "account_id");
        }

        if (body.OrgId is not null && await store.GetOrganizationAsync(body.OrgId, cancellationToken) is null)
        {
            throw ApiException.NotFound($"No organization {body.OrgId}.", "org_id");
        }

        var key = "hk_" + Ids.RandomBase64Url(32);
        var record = new ApiKeyRecord
        {
            Id = Ids.New(Ids.ApiKey),
            KeyHash = SecretHasher.Hash(key),
            AccountId = body.AccountId,
            OrgId = body.OrgId,
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await store.CreateApiKeyAsync(record, cancellationToken);
        return TypedResults.Json(new ApiKeyResponse(record.Id, key, record.AccountId, record.OrgId, ApiMapper.Time(record.CreatedAt)), ApiJson.Context.ApiKeyResponse, statusCode: 201);
    }

    private static async Task<IResult> CreateEventAsync(HttpRequest request, EventIngestor ingestor)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.CreateEventRequest);
        var outcome = await ingestor.IngestAsync([body], batch: false, request.HttpContext.RequestAborted);
        var result = outcome.Results[0];
        return RawEventResults.Single(result.Event, result.Created ? 201 : 200);
    }

    private static async Task<IResult> BatchCreateEventsAsync(HttpRequest request, EventIngestor ingestor)
    {
        var body = await JsonBody.ReadAsync(request, ApiJson.Context.BatchCreateEventsRequest);
        if (body.Events is not { Count: > 0 } events)
        {
            throw ApiException.Validation("events is required: a list of 1 to 1000 events.", "events");
        }

        if (events.Count > EventIngestor.MaxBatchSize)
        {
            throw ApiException.Validation($"A batch holds at most {EventIngestor.MaxBatchSize} events; split it.", "events");
        }

        if (events.IndexOf(null!) is var nullIndex and >= 0)
        {
            throw ApiException.Validation("Each event must be an object.", $"events[{nullIndex}]");
        }

        var outcome = await ingestor.IngestAsync(events, batch: true, request.HttpContext.RequestAborted);
        return RawEventResults.List(outcome.Results.Select(r => r.Event).ToList(), hasMore: false, statusCode: 201);
    }

    private static string RequireName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? throw ApiException.Validation("name is required.", "name")
        : name.Length > 200 ? throw ApiException.Validation("name must be at most 200 characters.", "name")
        : name.Trim();
}
