using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Reading accounts: the admin sees all, an organization key its own, an account key itself.</summary>
internal static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Accounts");
        accounts.MapGet("/", async (HttpContext context, IHeraldStore store) =>
        {
            var page = await store.ListAccountsAsync(context.GetCaller().Scope, Paging.FromQuery(context.Request), context.RequestAborted);
            return TypedResults.Json(page.ToList(a => a.ToResponse()), ApiJson.Context.ListResponseAccountResponse);
        });
        accounts.MapGet("/{id}", async (string id, HttpContext context, IHeraldStore store) =>
        {
            var account = await store.GetAccountAsync(id, context.GetCaller().Scope, context.RequestAborted)
                ?? throw ApiException.NotFound($"No account {id}.");
            return TypedResults.Json(account.ToResponse(), ApiJson.Context.AccountResponse);
        });
        return api;
    }
}
