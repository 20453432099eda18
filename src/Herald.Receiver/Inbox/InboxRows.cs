namespace Herald.Receiver.Inbox;

/// <summary>An event claimed for processing.</summary>
internal sealed class ClaimedEvent
{
    public string EventId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public byte[] Body { get; set; } = [];

    public long Attempts { get; set; }

    public long ReceivedAt { get; set; }

    /// <summary>The token of the claim that returned this event; every later change of the event must present it.</summary>
    public string LeaseToken { get; set; } = string.Empty;

    /// <summary>Until when the claim holds (Unix milliseconds) unless renewed.</summary>
    public long LeasedUntil { get; set; }

    /// <summary>When the claim was made (Unix milliseconds).</summary>
    public long ClaimedAt { get; set; }
}

internal sealed class InboxRow
{
    public string EventId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public long Attempts { get; set; }

    public long ReceivedAt { get; set; }

    public long NextAttemptAt { get; set; }

    public long? ProcessedAt { get; set; }

    public long? ParkedAt { get; set; }

    public string? LastError { get; set; }

    public InboxEntry ToEntry() => new(
        EventId,
        Name,
        ProcessedAt is not null ? InboxEntryState.Processed : ParkedAt is not null ? InboxEntryState.Parked : InboxEntryState.Pending,
        (int)Attempts,
        DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt),
        ProcessedAt is null && ParkedAt is null ? DateTimeOffset.FromUnixTimeMilliseconds(NextAttemptAt) : null,
        ProcessedAt is { } processed ? DateTimeOffset.FromUnixTimeMilliseconds(processed) : null,
        ParkedAt is { } parked ? DateTimeOffset.FromUnixTimeMilliseconds(parked) : null,
        LastError);
}
