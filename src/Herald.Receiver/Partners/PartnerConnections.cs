namespace Herald.Receiver;

/// <summary>What the receiver knows about a connection of an account or organization to your partner application.</summary>
public enum PartnerConnectionStatus
{
    /// <summary>Never recorded: neither connected through <see cref="IPartnerConnections.MarkConnectedAsync"/> nor disconnected by an event.</summary>
    Unknown = 0,

    /// <summary>Connected (recorded by your OAuth flow).</summary>
    Connected = 1,

    /// <summary>Disconnected by a <c>partner_connection.disconnected</c> event.</summary>
    Disconnected = 2,
}

/// <summary>
/// The partner connections the receiver tracks. The built-in <c>partner_connection.disconnected</c> handler marks
/// every listed account and the organization inactive, in the same transaction that completes the event.
/// </summary>
public interface IPartnerConnections
{
    /// <summary>Whether the account or organization is connected (recorded as connected and not disconnected since).</summary>
    /// <param name="accountOrOrgId">An <c>acct_…</c> or <c>org_…</c> id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns><see langword="true"/> only for <see cref="PartnerConnectionStatus.Connected"/>.</returns>
    Task<bool> IsConnectedAsync(string accountOrOrgId, CancellationToken cancellationToken = default);

    /// <summary>The recorded status of an account or organization.</summary>
    /// <param name="accountOrOrgId">An <c>acct_…</c> or <c>org_…</c> id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The status.</returns>
    Task<PartnerConnectionStatus> GetStatusAsync(string accountOrOrgId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that an account or organization connected (call it from your OAuth callback). A disconnection event
    /// created before this moment does not undo it.
    /// </summary>
    /// <param name="accountOrOrgId">An <c>acct_…</c> or <c>org_…</c> id.</param>
    /// <param name="appId">Your application id, when known.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>A task that completes when the status is stored.</returns>
    Task MarkConnectedAsync(string accountOrOrgId, string? appId = null, CancellationToken cancellationToken = default);
}

/// <summary>Tells a user that their connection ended (for example by email or an in-app banner), with a way to reconnect.</summary>
/// <remarks>Called by the built-in handler inside the event's processing; if it throws, the event is tried again, so make it idempotent on <see cref="PartnerDisconnectionNotice.EventId"/>.</remarks>
public interface IPartnerDisconnectionNotifier
{
    /// <summary>Notifies about one disconnection.</summary>
    /// <param name="notice">What was disconnected and how to reconnect.</param>
    /// <param name="cancellationToken">Signals shutdown.</param>
    /// <returns>A task that completes when the notice was sent or queued.</returns>
    Task NotifyAsync(PartnerDisconnectionNotice notice, CancellationToken cancellationToken);
}

/// <summary>One disconnection, as passed to <see cref="IPartnerDisconnectionNotifier"/>.</summary>
/// <param name="EventId">The event id (use it to deduplicate notices).</param>
/// <param name="AppId">Your application id.</param>
/// <param name="AccountIds">Every disconnected account.</param>
/// <param name="OrgId">The organization, when one was involved.</param>
/// <param name="Reason">Why, for example <c>user_initiated</c>.</param>
/// <param name="DisconnectedAt">When the disconnection happened (<c>created_at</c>).</param>
/// <param name="ReconnectUrl">Where the user can reconnect (<see cref="HeraldReceiverOptions.PartnerReconnectUrl"/>), when configured.</param>
public sealed record PartnerDisconnectionNotice(
    string EventId,
    string? AppId,
    IReadOnlyList<string> AccountIds,
    string? OrgId,
    string? Reason,
    DateTimeOffset? DisconnectedAt,
    Uri? ReconnectUrl);
