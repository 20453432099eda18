using Herald.Core.Events;
using Herald.Core.Tenants;

namespace Herald.Core.Partners;

/// <summary>Partner applications and the connections accounts grant them.</summary>
internal interface IPartnerStore
{
    Task CreateAppAsync(PartnerApp app, CancellationToken cancellationToken);

    Task<PartnerApp?> GetAppAsync(string id, CancellationToken cancellationToken);

    Task<PartnerApp?> FindAppByClientIdAsync(string clientId, CancellationToken cancellationToken);

    /// <summary>Makes the connection ACTIVE, creating it or re-activating a disconnected one; <c>Changed</c> is false when it was already active.</summary>
    Task<ConnectOutcome> ConnectAsync(string accountId, string appId, long now, CancellationToken cancellationToken);

    Task<PagedList<PartnerConnection>> ListConnectionsAsync(OwnerScope scope, ConnectionFilter filter, Page page, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: marks the command's ACTIVE connections DISCONNECTED (a conditional update, so two
    /// concurrent disconnects of the same pair cannot both see it active), cancels the app's queued deliveries of
    /// those accounts' events and, when at least one connection changed, stores the event
    /// <paramref name="buildEvent"/> makes from the disconnected account ids, with its deliveries.
    /// </summary>
    Task<DisconnectOutcome> DisconnectAsync(DisconnectCommand command, Func<IReadOnlyList<string>, PendingEvent> buildEvent, long now, CancellationToken cancellationToken);
}
