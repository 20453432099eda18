using Dapper;
using Herald.Core;
using Herald.Core.Accounts;
using Herald.Core.Tenants;

namespace Herald.Server.Storage;

internal sealed class SqlAccountStore(SqlDatabase database) : IAccountStore
{
    private const string AccountColumns = "id, name, org_id, created_at";

    public async Task CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO organizations (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", organization, cancellationToken: cancellationToken));
    }

    public async Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Organization>(new CommandDefinition(
            "SELECT id, name, created_at FROM organizations WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task CreateAccountAsync(Account account, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO accounts ({AccountColumns}) VALUES (@Id, @Name, @OrgId, @CreatedAt)", account, cancellationToken: cancellationToken));
    }

    public async Task<Account?> GetAccountAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = ScopedQuery.ForAccounts(scope).With("id", id);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(
            $"SELECT {AccountColumns} FROM accounts WHERE id = @id AND {where}", where.Parameters, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<Account>> GetAccountsAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var where = ScopedQuery.ForAccounts(scope).With("ids", ids.ToArray());
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Account>(new CommandDefinition(
            $"SELECT {AccountColumns} FROM accounts WHERE {database.In("id", "ids")} AND {where}", where.Parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<PagedList<Account>> ListAccountsAsync(OwnerScope scope, Page page, CancellationToken cancellationToken)
    {
        var where = ScopedQuery.ForAccounts(scope, page);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Account>(new CommandDefinition(
            $"SELECT {AccountColumns} FROM accounts WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip",
            where.Parameters, cancellationToken: cancellationToken));
        return PagedList<Account>.FromOverfetch(rows, page);
    }

    public async Task CreateApiKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (id, key_hash, account_id, org_id, created_at) VALUES (@Id, @KeyHash, @AccountId, @OrgId, @CreatedAt)",
            key, cancellationToken: cancellationToken));
    }

    public async Task<ApiKey?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKey>(new CommandDefinition(
            "SELECT id, key_hash, account_id, org_id, created_at FROM api_keys WHERE key_hash = @keyHash", new { keyHash }, cancellationToken: cancellationToken));
    }
}
