using Herald.Core.Accounts;
using Herald.Core.Tenants;

namespace Herald.Core.Events;

/// <summary>
/// A place in the event log's commit order, opaque to clients: resuming after it yields every event committed later,
/// once each, on any node, across restarts.
/// </summary>
/// <param name="Transaction">The writing transaction's id (PostgreSQL); 0 on SQLite, whose writers commit one at a time.</param>
/// <param name="Seq">The event's sequence number.</param>
internal readonly record struct FeedPosition(ulong Transaction, long Seq)
{
    public override string ToString() => $"{Transaction}.{Seq}";

    public static bool TryParse(string? text, out FeedPosition position)
    {
        position = default;
        var dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || !ulong.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var transaction)
            || !long.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        position = new FeedPosition(transaction, seq);
        return true;
    }
}

/// <summary>A page of the feed: the tenant's events after a position, and where to read on from.</summary>
/// <param name="Events">The tenant's events, in commit order, each with its own position.</param>
/// <param name="Next">Where to continue: past every event read, the tenant's or not.</param>
internal sealed record FeedPage(IReadOnlyList<(StoredEvent Event, FeedPosition Position)> Events, FeedPosition Next);

/// <summary>Reads the event log in commit order (see <see cref="EventFeed"/>).</summary>
internal interface IEventFeedStore
{
    /// <summary>The position after every event committed so far: where a new stream starts.</summary>
    Task<FeedPosition> EndAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> events of <paramref name="scope"/> (and of <paramref name="names"/>, when given) committed after <paramref name="after"/>.</summary>
    Task<FeedPage> ReadAsync(OwnerScope scope, IReadOnlyCollection<string>? names, FeedPosition after, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The event log as a live feed for <c>herald listen</c> and <c>herald events tail</c>: a tenant's events in commit order,
/// resumable from any position without gaps or repeats. Events stored on this node wake readers at once; other nodes'
/// are found by polling.
/// </summary>
internal sealed class EventFeed(IEventFeedStore store, TenantResolver tenants)
{
    public const int PageSize = 100;

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Something was stored: wake every reader.</summary>
    public void Notify() => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Notify"/>.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The scope a caller's stream reads: its own, or one account it reaches.</summary>
    public Task<OwnerScope> ScopeAsync(Caller caller, string? accountId, CancellationToken cancellationToken) =>
        tenants.ResolveScopeAsync(caller, accountId, cancellationToken);

    public Task<FeedPosition> EndAsync(CancellationToken cancellationToken) => store.EndAsync(cancellationToken);

    public Task<FeedPage> ReadAsync(OwnerScope scope, IReadOnlyCollection<string>? names, FeedPosition after, CancellationToken cancellationToken) =>
        store.ReadAsync(scope, names, after, PageSize, cancellationToken);
}
