using System.Data.Common;

namespace Herald.Receiver;

/// <summary>What a handler knows about the event it handles besides the event itself.</summary>
public sealed class WebhookContext
{
    internal WebhookContext(string eventId, string eventName, int attempt, DateTimeOffset receivedAt, DateTimeOffset? lastAppliedAt, bool isStale, DbConnection connection, DbTransaction transaction, IServiceProvider services)
    {
        EventId = eventId;
        EventName = eventName;
        Attempt = attempt;
        ReceivedAt = receivedAt;
        LastAppliedAt = lastAppliedAt;
        IsStale = isStale;
        Connection = connection;
        Transaction = transaction;
        Services = services;
    }

    /// <summary>The event id.</summary>
    public string EventId { get; }

    /// <summary>The event name.</summary>
    public string EventName { get; }

    /// <summary>Which try this is, from 1.</summary>
    public int Attempt { get; }

    /// <summary>When the receiver acknowledged the event.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>
    /// The latest <c>created_at</c> of an already processed event about the same resource (<c>data.object.id</c>),
    /// or <see langword="null"/> when there was none. Events are delivered unordered.
    /// </summary>
    public DateTimeOffset? LastAppliedAt { get; }

    /// <summary>
    /// Whether an event about the same resource with a later <c>created_at</c> was already processed, so this one
    /// describes an older state: usually skip it. After this event is processed, its <c>created_at</c> becomes
    /// the resource's last applied time unless a later one is already recorded.
    /// </summary>
    public bool IsStale { get; }

    /// <summary>
    /// An open connection to the inbox database. Side effects written through it within <see cref="Transaction"/>
    /// commit together with the event's completion, so they happen exactly once.
    /// </summary>
    public DbConnection Connection { get; }

    /// <summary>The transaction that will mark the event processed; pass it to every command on <see cref="Connection"/>. Do not commit it.</summary>
    public DbTransaction Transaction { get; }

    /// <summary>The services of the scope created for this event.</summary>
    public IServiceProvider Services { get; }
}
