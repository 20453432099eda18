namespace Herald.Core.Tenants;

/// <summary>
/// Which tenant's objects a query may see: one account, an organization's accounts, a partner app's objects, or
/// (no property set) everything, for the operator. Another tenant's object is indistinguishable from a missing one.
/// </summary>
internal sealed record OwnerScope(string? AccountId = null, string? OrgId = null, string? AppId = null)
{
    public static OwnerScope Everything { get; } = new();

    public static OwnerScope Account(string accountId) => new(AccountId: accountId);

    public static OwnerScope Organization(string orgId) => new(OrgId: orgId);

    public static OwnerScope App(string appId) => new(AppId: appId);
}
