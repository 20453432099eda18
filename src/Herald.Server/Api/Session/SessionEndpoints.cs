using System.Security.Claims;
using Herald.Core.Tenants;
using Herald.Server.Auth;

namespace Herald.Server.Api.Session;

/// <summary>Who the key is: the dashboard asks once at sign-in to know which actions to offer.</summary>
internal static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessionEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/whoami", (ClaimsPrincipal user) => TypedResults.Ok(CallerResponse.From(user.ToCaller())))
            .RequireAuthorization(HeraldPolicies.Tenant).WithTags("Accounts").ProducesApiErrors(401)
            .WithSummary("Who the API key acts for")
            .WithDescription("`kind` is `admin` (every account), `organization` (the accounts of `org_id`) or `account` (`account_id` only).");
        return api;
    }
}

/// <summary>The caller behind a key: its kind and, for tenants, its account or organization.</summary>
internal sealed record CallerResponse(string Kind, string? AccountId, string? OrgId)
{
    public static CallerResponse From(Caller caller) => caller.Kind switch
    {
        CallerKind.Account => new("account", caller.AccountId, null),
        CallerKind.Organization => new("organization", null, caller.OrgId),
        _ => new("admin", null, null),
    };
}
