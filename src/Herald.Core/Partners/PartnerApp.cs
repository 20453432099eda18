namespace Herald.Core.Partners;

/// <summary>A third-party application that accounts authorize; it authenticates with its client id and secret (stored hashed).</summary>
internal sealed record PartnerApp
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string ClientId { get; init; }
    public required byte[] ClientSecretHash { get; init; }
    public long CreatedAt { get; init; }
}

internal static class ConnectionStatus
{
    public const string Active = "ACTIVE";
    public const string Disconnected = "DISCONNECTED";

    public static bool IsKnown(string value) => value is Active or Disconnected;
}

/// <summary>An account's authorization of an app; <see cref="OrgId"/> is the account's organization, read along.</summary>
internal sealed record PartnerConnection
{
    public required string AccountId { get; init; }
    public required string AppId { get; init; }

    /// <summary>The app's display name, read along (for the authorization settings page).</summary>
    public string? AppName { get; init; }
    public string? OrgId { get; init; }
    public required string Status { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

internal sealed record ConnectOutcome(PartnerConnection Connection, bool Changed);

internal sealed record ConnectionFilter(string? AccountId = null, string? AppId = null, string? Status = null);

/// <summary>
/// What one disconnect action covers: the named accounts, or — when <see cref="AccountIds"/> is null — every
/// account of <see cref="OrgId"/>. The caller has already checked that the accounts are within its reach.
/// </summary>
internal sealed record DisconnectCommand(string AppId, IReadOnlyList<string>? AccountIds, string? OrgId);

/// <summary>The accounts this action disconnected (none when all were already disconnected) and the event it emitted.</summary>
internal sealed record DisconnectOutcome(IReadOnlyList<string> AccountIds, Events.StoreEventResult? Event, int CancelledDeliveries);
