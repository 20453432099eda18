using Herald.Core.Tenants;

namespace Herald.Core.Accounts;

/// <summary>Organizations, accounts and their API keys.</summary>
internal interface IAccountStore
{
    Task CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken);

    Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken);

    Task CreateAccountAsync(Account account, CancellationToken cancellationToken);

    Task<Account?> GetAccountAsync(string id, OwnerScope scope, CancellationToken cancellationToken);

    /// <summary>The accounts among <paramref name="ids"/> that exist within <paramref name="scope"/>, in one query.</summary>
    Task<IReadOnlyList<Account>> GetAccountsAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken);

    Task<PagedList<Account>> ListAccountsAsync(OwnerScope scope, Page page, CancellationToken cancellationToken);

    Task CreateApiKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<ApiKey?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken);
}
