namespace Herald.Server.Auth;

internal static class HeraldPolicies
{
    /// <summary>The operator's admin key.</summary>
    public const string Admin = "herald-admin";

    /// <summary>The admin key, an account key or an organization key.</summary>
    public const string Tenant = "herald-tenant";

    /// <summary>A partner app's Basic credentials.</summary>
    public const string Partner = "herald-partner";
}
