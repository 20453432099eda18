using System.Security.Claims;
using Herald.Core;
using Herald.Core.Accounts;
using Herald.Server.Auth;

namespace Herald.Server.Api.Accounts;

/// <summary>Organizations, accounts and API keys: the operator creates them; tenants read the accounts they reach.</summary>
internal static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder api)
    {
        var operatorRoutes = api.MapGroup(string.Empty).RequireAuthorization(HeraldPolicies.Admin).WithTags("Operator");
        operatorRoutes.MapPost("/organizations/create", CreateOrganizationAsync).WithSummary("Create an organization");
        operatorRoutes.MapPost("/accounts/create", CreateAccountAsync).WithSummary("Create an account, optionally in an organization");
        operatorRoutes.MapPost("/api_keys/create", CreateApiKeyAsync).WithSummary("Create an account or organization key (shown once)");

        var accounts = api.MapGroup("/accounts").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Accounts");
        accounts.MapGet("/", ListAsync).WithSummary("List the accounts the key reaches");
        accounts.MapGet("/{id}", GetAsync).WithSummary("Get one account");
        return api;
    }

    private static async Task<Created<OrganizationResponse>> CreateOrganizationAsync(CreateOrganizationRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var organization = await accounts.CreateOrganizationAsync(body.Name, cancellationToken);
        return TypedResults.Created((string?)null, OrganizationResponse.From(organization));
    }

    private static async Task<Created<AccountResponse>> CreateAccountAsync(CreateAccountRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var account = await accounts.CreateAccountAsync(body.Name, body.OrgId, cancellationToken);
        return TypedResults.Created($"{ApiRoutes.AccountApi}/accounts/{account.Id}", AccountResponse.From(account));
    }

    private static async Task<Created<ApiKeyResponse>> CreateApiKeyAsync(CreateApiKeyRequest body, AccountService accounts, CancellationToken cancellationToken)
    {
        var (key, plain) = await accounts.CreateApiKeyAsync(body.AccountId, body.OrgId, cancellationToken);
        return TypedResults.Created((string?)null, new ApiKeyResponse(key.Id, plain, key.AccountId, key.OrgId, ApiTime.Format(key.CreatedAt)));
    }

    private static async Task<Ok<ListResponse<AccountResponse>>> ListAsync([AsParameters] PageQuery paging, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        var page = await accounts.ListAccountsAsync(user.ToCaller().Scope, paging.ToPage(), cancellationToken);
        return TypedResults.Ok(ListResponse<AccountResponse>.From(page, AccountResponse.From));
    }

    private static async Task<Ok<AccountResponse>> GetAsync(string id, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(AccountResponse.From(await accounts.GetAccountAsync(id, user.ToCaller().Scope, cancellationToken)));
}
