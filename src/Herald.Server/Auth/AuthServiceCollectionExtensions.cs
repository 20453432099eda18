using Herald.Core.Tenants;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Authentication;

namespace Microsoft.Extensions.DependencyInjection;

internal static class AuthServiceCollectionExtensions
{
    /// <summary>Bearer keys (admin, account, organization) and partner apps' Basic credentials, and the three policies routes require.</summary>
    public static IServiceCollection AddHeraldAuth(this IServiceCollection services)
    {
        services.AddAuthentication(HeraldAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeraldAuthenticationHandler>(HeraldAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(HeraldPolicies.Admin, policy => policy.RequireClaim(CallerPrincipal.KindClaim, nameof(CallerKind.Admin)))
            .AddPolicy(HeraldPolicies.Tenant, policy => policy.RequireClaim(CallerPrincipal.KindClaim, nameof(CallerKind.Admin), nameof(CallerKind.Account), nameof(CallerKind.Organization)))
            .AddPolicy(HeraldPolicies.Partner, policy => policy.RequireClaim(CallerPrincipal.KindClaim, nameof(CallerKind.App)));
        return services;
    }
}
