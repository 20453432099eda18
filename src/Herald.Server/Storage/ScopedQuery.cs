using System.Text;
using Dapper;
using Herald.Core;
using Herald.Core.Tenants;

namespace Herald.Server.Storage;

/// <summary>
/// A tenant-scoped WHERE clause for tables whose rows carry <c>account_id</c> and <c>app_id</c>, then each optional
/// filter that has a value, with its parameters (and paging parameters when a page is given).
/// </summary>
internal sealed class ScopedQuery
{
    private readonly StringBuilder _sql;

    public ScopedQuery(OwnerScope scope, Page? page = null, string? alias = null)
    {
        var prefix = alias is null ? string.Empty : alias + ".";
        _sql = new StringBuilder(scope switch
        {
            { AccountId: not null } => $"{prefix}account_id = @scopeAccount",
            { OrgId: not null } => $"{prefix}account_id IN (SELECT id FROM accounts WHERE org_id = @scopeOrg)",
            { AppId: not null } => $"{prefix}app_id = @scopeApp",
            _ => "1 = 1",
        });
        Parameters.Add("scopeAccount", scope.AccountId);
        Parameters.Add("scopeOrg", scope.OrgId);
        Parameters.Add("scopeApp", scope.AppId);
        if (page is not null)
        {
            // One row more than asked tells whether another page follows.
            Parameters.Add("take", page.Size + 1);
            Parameters.Add("skip", page.Offset);
        }
    }

    /// <summary>The accounts table itself, scoped: an account sees itself, an organization its accounts, an app the accounts it was connected to.</summary>
    public static ScopedQuery ForAccounts(OwnerScope scope, Page? page = null)
    {
        var query = new ScopedQuery(OwnerScope.Everything, page);
        query._sql.Clear().Append(scope switch
        {
            { AccountId: not null } => "id = @scopeAccount",
            { OrgId: not null } => "org_id = @scopeOrg",
            { AppId: not null } => "id IN (SELECT account_id FROM connections WHERE app_id = @scopeApp)",
            _ => "1 = 1",
        });
        query.Parameters.Add("scopeAccount", scope.AccountId);
        query.Parameters.Add("scopeOrg", scope.OrgId);
        query.Parameters.Add("scopeApp", scope.AppId);
        return query;
    }

    public DynamicParameters Parameters { get; } = new();

    /// <summary>Adds <paramref name="condition"/> when <paramref name="value"/> is not null.</summary>
    public ScopedQuery And(string condition, string parameter, object? value)
    {
        if (value is not null)
        {
            _sql.Append(" AND ").Append(condition);
            Parameters.Add(parameter, value);
        }

        return this;
    }

    public ScopedQuery With(string parameter, object? value)
    {
        Parameters.Add(parameter, value);
        return this;
    }

    public override string ToString() => _sql.ToString();
}
