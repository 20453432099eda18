namespace Herald.Receiver;

/// <summary>Where an inbox entry stands.</summary>
public enum InboxEntryState
{
    /// <summary>Waiting for its first or next try.</summary>
    Pending = 0,

    /// <summary>Handled: every handler returned and the completion was committed.</summary>
    Processed = 1,

    /// <summary>Parked after <see cref="HeraldReceiverOptions.MaxAttempts"/> failed tries (or an unreadable body); waits for <see cref="IWebhookInbox.RequeueAsync"/>.</summary>
    Parked = 2,
}

/// <summary>One event in the inbox.</summary>
/// <param name="EventId">The event id (unique in the inbox).</param>
/// <param name="Name">The event name.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">How many tries were started.</param>
/// <param name="ReceivedAt">When the receiver acknowledged it.</param>
/// <param name="NextAttemptAt">When it is due next (pending entries).</param>
/// <param name="ProcessedAt">When it was handled.</param>
/// <param name="ParkedAt">When it was parked.</param>
/// <param name="LastError">The last failure (exception type and message), if any.</param>
public sealed record InboxEntry(
    string EventId,
    string Name,
    InboxEntryState State,
    int Attempts,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset? ParkedAt,
    string? LastError);

/// <summary>How many entries the inbox holds in each state.</summary>
/// <param name="Pending">Waiting for a try.</param>
/// <param name="Processed">Handled.</param>
/// <param name="Parked">Parked (poison).</param>
public sealed record InboxCounts(long Pending, long Processed, long Parked);

/// <summary>Looks into the durable inbox: find entries, list parked (poison) events and requeue them.</summary>
public interface IWebhookInbox
{
    /// <summary>Finds one entry by event id.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The entry, or <see langword="null"/> when the inbox never received it.</returns>
    Task<InboxEntry?> FindAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>Lists parked events, oldest first.</summary>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The parked entries.</returns>
    Task<IReadOnlyList<InboxEntry>> GetParkedAsync(int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Makes a parked (or pending) event due now with a fresh try count.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns><see langword="true"/> when the event was parked or pending and is now due.</returns>
    Task<bool> RequeueAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>Counts entries by state.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The counts.</returns>
    Task<InboxCounts> GetCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest <c>created_at</c> applied for a resource id (see <see cref="WebhookContext.IsStale"/>).</summary>
    /// <param name="objectId">The resource id (<c>data.object.id</c>).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The instant, or <see langword="null"/> when no event about it was processed.</returns>
    Task<DateTimeOffset?> GetLastAppliedAtAsync(string objectId, CancellationToken cancellationToken = default);
}
