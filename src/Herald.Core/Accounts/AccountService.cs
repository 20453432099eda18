using Herald.Core.Tenants;

namespace Herald.Core.Accounts;

/// <summary>The operator's side of tenants: organizations, accounts and the keys they use.</summary>
internal sealed class AccountService(IAccountStore store, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public async Task<Organization> CreateOrganizationAsync(string? name, CancellationToken cancellationToken)
    {
        var organization = new Organization { Id = Ids.New(Ids.Organization), Name = RequireName(name), CreatedAt = Now };
        await store.CreateOrganizationAsync(organization, cancellationToken);
        return organization;
    }

    public async Task<Account> CreateAccountAsync(string? name, string? orgId, CancellationToken cancellationToken)
    {
        var validName = RequireName(name);
        if (orgId is not null && await store.GetOrganizationAsync(orgId, cancellationToken) is null)
        {
            throw HeraldException.NotFound($"No organization {orgId}.", "org_id");
        }

        var account = new Account { Id = Ids.New(Ids.Account), Name = validName, OrgId = orgId, CreatedAt = Now };
        await store.CreateAccountAsync(account, cancellationToken);
        return account;
    }

    /// <summary>Creates a key for exactly one of an account or an organization; the plain key is returned once and never stored.</summary>
    public async Task<(ApiKey Key, string PlainKey)> CreateApiKeyAsync(string? accountId, string? orgId, CancellationToken cancellationToken)
    {
        if ((accountId is null) == (orgId is null))
        {
            throw HeraldException.Validation("Give exactly one of account_id or org_id: the tenant the key acts for.", "account_id");
        }

        if (accountId is not null && await store.GetAccountAsync(accountId, OwnerScope.Everything, cancellationToken) is null)
        {
            throw HeraldException.NotFound($"No account {accountId}.", "account_id");
        }

        if (orgId is not null && await store.GetOrganizationAsync(orgId, cancellationToken) is null)
        {
            throw HeraldException.NotFound($"No organization {orgId}.", "org_id");
        }

        var plain = "hk_" + Ids.RandomBase64Url(32);
        var key = new ApiKey { Id = Ids.New(Ids.ApiKey), KeyHash = SecretHasher.Hash(plain), AccountId = accountId, OrgId = orgId, CreatedAt = Now };
        await store.CreateApiKeyAsync(key, cancellationToken);
        return (key, plain);
    }

    public async Task<Account> GetAccountAsync(string id, OwnerScope scope, CancellationToken cancellationToken) =>
        await store.GetAccountAsync(id, scope, cancellationToken) ?? throw HeraldException.NotFound($"No account {id}.", "id");

    public Task<PagedList<Account>> ListAccountsAsync(OwnerScope scope, Page page, CancellationToken cancellationToken) =>
        store.ListAccountsAsync(scope, page, cancellationToken);

    /// <summary>A display name: required, at most <see cref="MaxNameLength"/> characters, trimmed.</summary>
    public static string RequireName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? throw HeraldException.Validation("name is required.", "name")
        : name.Length > MaxNameLength ? throw HeraldException.Validation($"name must be at most {MaxNameLength} characters.", "name")
        : name.Trim();

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();
}
