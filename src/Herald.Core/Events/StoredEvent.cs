using Herald.Core.Deliveries;

namespace Herald.Core.Events;

/// <summary>An accepted event: its envelope bytes, serialized once and sent unchanged to every endpoint and retry.</summary>
internal sealed record StoredEvent
{
    /// <summary>Insertion order, assigned by the store.</summary>
    public long Seq { get; init; }
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>The owning account (account events).</summary>
    public string? AccountId { get; init; }

    /// <summary>The partner app (partner events).</summary>
    public string? AppId { get; init; }

    /// <summary>Unix ms, whole seconds (the envelope's <c>created_at</c>).</summary>
    public long CreatedAt { get; init; }
    public string? Version { get; init; }

    /// <summary>What makes a repeated id "the same event".</summary>
    public required byte[] ContentHash { get; init; }
    public required byte[] Body { get; init; }
    public long IngestedAt { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the span that ingested it: every attempt of its deliveries is a child of it.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>An event to store together with the deliveries its fan-out made.</summary>
internal sealed record PendingEvent(StoredEvent Event, IReadOnlyList<NewDelivery> Deliveries);

/// <summary>The result of storing one event: new, or the one already stored under the same id.</summary>
internal sealed record StoreEventResult(StoredEvent Event, bool Created, int DeliveryCount);

/// <summary>
/// The result of storing a batch: every event's result, or — when an id was already stored with other content — the
/// index of the first such event, and nothing written.
/// </summary>
internal sealed record StoreEventsResult(IReadOnlyList<StoreEventResult> Results, int? ConflictIndex);

/// <summary>Narrows an event search; every member that has a value must match (<see cref="Id"/> exactly).</summary>
internal sealed record EventFilter(string? Name = null, long? FromCreatedAt = null, long? ToCreatedAt = null, string? Id = null);
