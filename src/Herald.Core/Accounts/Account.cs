namespace Herald.Core.Accounts;

// Instants are Unix milliseconds throughout the core, so both databases store them alike.

/// <summary>A group of accounts administered together; an organization key acts on all of them.</summary>
internal sealed record Organization
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public long CreatedAt { get; init; }
}

/// <summary>A merchant: owns events and webhooks, may belong to one organization.</summary>
internal sealed record Account
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? OrgId { get; init; }
    public long CreatedAt { get; init; }
}

/// <summary>An account or organization key, stored as the SHA-256 of the key (shown once, at creation).</summary>
internal sealed record ApiKey
{
    public required string Id { get; init; }
    public required byte[] KeyHash { get; init; }
    public string? AccountId { get; init; }
    public string? OrgId { get; init; }
    public long CreatedAt { get; init; }
}
