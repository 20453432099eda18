using Herald.Core.Accounts;

namespace Herald.Server.Api.Accounts;

// Requests: every member is optional at the JSON level so that validation, not the deserializer, names a missing field.

internal sealed record CreateOrganizationRequest(string? Name);

internal sealed record CreateAccountRequest(string? Name, string? OrgId);

internal sealed record CreateApiKeyRequest(string? AccountId, string? OrgId);

internal sealed record OrganizationResponse(string Id, string Name, string CreatedAt)
{
    public static OrganizationResponse From(Organization organization) => new(organization.Id, organization.Name, ApiTime.Format(organization.CreatedAt));
}

internal sealed record AccountResponse(string Id, string Name, string? OrgId, string CreatedAt)
{
    public static AccountResponse From(Account account) => new(account.Id, account.Name, account.OrgId, ApiTime.Format(account.CreatedAt));
}

/// <summary>A new key: <see cref="Key"/> is shown once and stored only as a hash.</summary>
internal sealed record ApiKeyResponse(string Id, string Key, string? AccountId, string? OrgId, string CreatedAt);
