using System.Security.Claims;
using Herald.Server.Api;
using Herald.Server.Storage;

namespace Herald.Server.Auth;

internal enum CallerKind
{
    Admin,
    Account,
    Organization,
    App,
}

/// <summary>Who is calling, as established by <see cref="HeraldAuthenticationHandler"/>.</summary>
internal sealed record Caller(CallerKind Kind, string? AccountId = null, string? OrgId = null, string? AppId = null)
{
    public const string KindClaim = "herald:kind";
    public const string IdClaim = "herald:id";

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var id = Kind switch
        {
            CallerKind.Account => AccountId,
            CallerKind.Organization => OrgId,
            CallerKind.App => AppId,
            _ => "admin",
        };
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(KindClaim, Kind.ToString()), new Claim(IdClaim, id!)], scheme));
    }

    public static Caller FromPrincipal(ClaimsPrincipal principal)
    {
        var kind = Enum.Parse<CallerKind>(principal.FindFirstValue(KindClaim) ?? throw ApiException.Unauthorized("Authentication is required."));
        var id = principal.FindFirstValue(IdClaim);
        return kind switch
        {
            CallerKind.Account => new Caller(kind, AccountId: id),
            CallerKind.Organization => new Caller(kind, OrgId: id),
            CallerKind.App => new Caller(kind, AppId: id),
            _ => new Caller(kind),
        };
    }

    /// <summary>The widest scope this caller may read.</summary>
    public OwnerScope Scope => Kind switch
    {
        CallerKind.Account => OwnerScope.Account(AccountId!),
        CallerKind.Organization => OwnerScope.Organization(OrgId!),
        CallerKind.App => OwnerScope.App(AppId!),
        _ => OwnerScope.Everything,
    };
}

internal static class CallerHttpContextExtensions
{
    public static Caller GetCaller(this HttpContext context) => Caller.FromPrincipal(context.User);
}
