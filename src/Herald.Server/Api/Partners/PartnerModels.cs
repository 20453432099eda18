using Herald.Core.Partners;

namespace Herald.Server.Api.Partners;

internal sealed record CreateAppRequest(string? Name);

internal sealed record CreateConnectionRequest(string? AppId, string? AccountId);

internal sealed record DisconnectRequestBody(string? AppId, string? AccountId, List<string?>? AccountIds, string? OrgId);

/// <summary>A new partner app: <see cref="ClientSecret"/> is shown once and stored only as a hash.</summary>
internal sealed record AppResponse(string AppId, string Name, string ClientId, string ClientSecret, string CreatedAt);

internal sealed record ConnectionResponse(string AccountId, string AppId, string? OrgId, string Status, string CreatedAt, string UpdatedAt)
{
    public static ConnectionResponse From(PartnerConnection connection) => new(
        connection.AccountId, connection.AppId, connection.OrgId, connection.Status, ApiTime.Format(connection.CreatedAt), ApiTime.Format(connection.UpdatedAt));
}

/// <summary>What a disconnect did: the accounts it disconnected now (empty when all already were) and the event it emitted.</summary>
internal sealed record DisconnectResponse(string AppId, IReadOnlyList<string> AccountIds, string? OrgId, string? EventId)
{
    public static DisconnectResponse From(DisconnectResult result) => new(result.AppId, result.AccountIds, result.OrgId, result.EventId);
}
