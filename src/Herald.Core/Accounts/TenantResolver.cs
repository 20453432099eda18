using Herald.Core.Tenants;

namespace Herald.Core.Accounts;

/// <summary>
/// Decides which account a request acts on. An account key acts on its own account; an organization key and
/// the admin key name one with <c>account_id</c>. Anything out of reach is "not found", exactly as a missing account.
/// </summary>
internal sealed class TenantResolver(IAccountStore accounts)
{
    public async Task<Account> ResolveAccountAsync(Caller caller, string? accountId, CancellationToken cancellationToken)
    {
        switch (caller.Kind)
        {
            case CallerKind.Account when accountId is null || accountId == caller.AccountId:
                return await accounts.GetAccountAsync(caller.AccountId!, OwnerScope.Everything, cancellationToken)
                    ?? throw HeraldException.NotFound($"No account {caller.AccountId}.", "account_id");
            case CallerKind.Organization or CallerKind.Admin when string.IsNullOrEmpty(accountId):
                throw HeraldException.Validation(
                    caller.Kind == CallerKind.Admin
                        ? "account_id is required with the admin key: name the account to act on."
                        : "account_id is required with an organization key: name one of the organization's accounts.",
                    "account_id");
            case CallerKind.App:
                throw HeraldException.Unauthorized("Partner apps use /partner-api/v1 with Basic authentication.");
        }

        return await accounts.GetAccountAsync(accountId!, caller.Scope, cancellationToken)
            ?? throw HeraldException.NotFound($"No account {accountId}.", "account_id");
    }

    /// <summary>The scope for list and get routes: one named account, or everything the caller may see.</summary>
    public async Task<OwnerScope> ResolveScopeAsync(Caller caller, string? accountId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accountId) || caller.Kind == CallerKind.App)
        {
            return caller.Scope;
        }

        var account = await ResolveAccountAsync(caller, accountId, cancellationToken);
        return OwnerScope.Account(account.Id);
    }
}
