namespace Herald.Core.Tenants;

internal enum CallerKind
{
    Admin,
    Account,
    Organization,
    App,
}

/// <summary>Who is calling: the operator, an account, an organization or a partner app. Established by the server's authentication.</summary>
internal sealed record Caller(CallerKind Kind, string? AccountId = null, string? OrgId = null, string? AppId = null)
{
    public static Caller Admin { get; } = new(CallerKind.Admin);

    public static Caller ForAccount(string accountId) => new(CallerKind.Account, AccountId: accountId);

    public static Caller ForOrganization(string orgId) => new(CallerKind.Organization, OrgId: orgId);

    public static Caller ForApp(string appId) => new(CallerKind.App, AppId: appId);

    /// <summary>The id of whoever calls (<c>admin</c> for the operator).</summary>
    public string Id => Kind switch
    {
        CallerKind.Account => AccountId!,
        CallerKind.Organization => OrgId!,
        CallerKind.App => AppId!,
        _ => "admin",
    };

    /// <summary>The widest scope this caller may read.</summary>
    public OwnerScope Scope => Kind switch
    {
        CallerKind.Account => OwnerScope.Account(AccountId!),
        CallerKind.Organization => OwnerScope.Organization(OrgId!),
        CallerKind.App => OwnerScope.App(AppId!),
        _ => OwnerScope.Everything,
    };
}
