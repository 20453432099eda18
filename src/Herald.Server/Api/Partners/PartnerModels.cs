using System.Text.Json;
using Herald.Core.Partners;

namespace Herald.Server.Api.Partners;

internal sealed record CreateAppRequest(string? Name);

internal sealed record CreateConnectionRequest(string? AppId, string? AccountId);

internal sealed record DisconnectRequestBody(string? AppId, string? AccountId, List<string?>? AccountIds, string? OrgId);

/// <summary>A new partner app: <see cref="ClientSecret"/> is shown once and stored only as a hash.</summary>
internal sealed record AppResponse(string AppId, string Name, string ClientId, string ClientSecret, string CreatedAt);

/// <summary>An account's authorization of a partner app: <see cref="CreatedAt"/> is when it was first granted, <see cref="UpdatedAt"/> when its status last changed.</summary>
internal sealed record ConnectionResponse(string AccountId, string AppId, string? AppName, string? OrgId, string Status, string CreatedAt, string UpdatedAt)
{
    public static ConnectionResponse From(PartnerConnection connection) => new(
        connection.AccountId, connection.AppId, connection.AppName, connection.OrgId, connection.Status, ApiTime.Format(connection.CreatedAt), ApiTime.Format(connection.UpdatedAt));
}

/// <summary>
/// What a disconnect did: the accounts it disconnected now (empty when all already were) and the
/// <c>partner_connection.disconnected</c> event it emitted (<see cref="Event"/>: its envelope, as the app's endpoints receive it).
/// </summary>
internal sealed record DisconnectResponse(string AppId, IReadOnlyList<string> AccountIds, string? OrgId, string? EventId, JsonElement? Event = null)
{
    public static DisconnectResponse From(DisconnectResult result) => new(
        result.AppId, result.AccountIds, result.OrgId, result.EventId, result.Event is { } stored ? ParseEnvelope(stored.Body) : null);

    private static JsonElement ParseEnvelope(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
