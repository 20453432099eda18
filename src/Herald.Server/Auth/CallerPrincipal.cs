using System.Security.Claims;
using Herald.Core.Tenants;

namespace Herald.Server.Auth;

/// <summary>Carries a <see cref="Caller"/> through ASP.NET Core's authentication as two claims.</summary>
internal static class CallerPrincipal
{
    public const string KindClaim = "herald:kind";
    public const string IdClaim = "herald:id";

    public static ClaimsPrincipal ToPrincipal(this Caller caller, string scheme) =>
        new(new ClaimsIdentity([new Claim(KindClaim, caller.Kind.ToString()), new Claim(IdClaim, caller.Id)], scheme));

    /// <summary>The authenticated caller; routes reach this only behind an authorization policy.</summary>
    public static Caller GetCaller(this HttpContext context) => context.User.ToCaller();

    /// <summary>The caller a principal made by <see cref="ToPrincipal"/> stands for.</summary>
    public static Caller ToCaller(this ClaimsPrincipal principal)
    {
        var kind = Enum.TryParse<CallerKind>(principal.FindFirstValue(KindClaim), out var parsed)
            ? parsed
            : throw new InvalidOperationException("The route has no authorization policy, so no caller was established.");
        var id = principal.FindFirstValue(IdClaim)!;
        return kind switch
        {
            CallerKind.Account => Caller.ForAccount(id),
            CallerKind.Organization => Caller.ForOrganization(id),
            CallerKind.App => Caller.ForApp(id),
            _ => Caller.Admin,
        };
    }
}
