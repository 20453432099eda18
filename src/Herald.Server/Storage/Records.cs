namespace Herald.Server.Storage;

// Row shapes shared by every store. Instants are Unix milliseconds so SQLite and PostgreSQL store them alike.

internal sealed record OrganizationRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public long CreatedAt { get; init; }
}

internal sealed record AccountRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? OrgId { get; init; }
    public long CreatedAt { get; init; }
}

internal sealed record ApiKeyRecord
{
    public required string Id { get; init; }
    public required byte[] KeyHash { get; init; }
    public string? AccountId { get; init; }
    public string? OrgId { get; init; }
    public long CreatedAt { get; init; }
}

internal static class WebhookStatus
{
    public const string Enabled = "ENABLED";
    public const string Disabled = "DISABLED";
}

internal sealed record WebhookRecord
{
    public required string Id { get; init; }
    public string? AccountId { get; init; }
    public string? AppId { get; init; }
    public required string Url { get; init; }
    /// <summary>Subscribed names joined by commas (catalog names hold none); empty when <see cref="AllEvents"/>.</summary>
    public required string EventList { get; init; }

    public IReadOnlyList<string> Events => EventList.Length == 0 ? [] : EventList.Split(',');
    public bool AllEvents { get; init; }
    public string? Secret { get; init; }
    public string? NextSecret { get; init; }
    public long? NextSecretAt { get; init; }
    public required string Status { get; init; }
    public string? DisabledReason { get; init; }
    public string? Description { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public bool IsEnabled => Status == WebhookStatus.Enabled;

    /// <summary>Whether an event of this name goes here; <c>all_events</c> covers partner events only for app webhooks.</summary>
    public bool Subscribes(string eventName) => AllEvents
        ? eventName != Contracts.Events.EventCatalog.PartnerConnectionDisconnected || AppId is not null
        : Events.Contains(eventName);

    /// <summary>The secret that signs at <paramref name="now"/>: the rotated-in one once it has activated.</summary>
    public string? SigningSecret(long now) => NextSecret is not null && NextSecretAt <= now ? NextSecret : Secret;
}

internal sealed record EventRecord
{
    public long Seq { get; init; }
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? AccountId { get; init; }
    public string? AppId { get; init; }
    public long CreatedAt { get; init; }
    public string? Version { get; init; }
    public required byte[] ContentHash { get; init; }
    public required byte[] Body { get; init; }
    public long IngestedAt { get; init; }
}

internal static class DeliveryStatus
{
    public const string Queued = "queued";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsKnown(string value) => value is Queued or Success or Failed or Cancelled;
}

internal sealed record DeliveryRecord
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string EventName { get; init; }
    public required string WebhookId { get; init; }
    public string? AccountId { get; init; }
    public string? AppId { get; init; }
    public string? EventAccountId { get; init; }
    public required string Status { get; init; }
    public int AttemptCount { get; init; }
    public int RoundAttempts { get; init; }
    public long? NextAttemptAt { get; init; }
    public bool Retriggered { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

internal sealed record AttemptRecord
{
    public long Id { get; init; }
    public required string DeliveryId { get; init; }
    public int Number { get; init; }
    public long StartedAt { get; init; }
    public long DurationMs { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }
    public string? ResponseBody { get; init; }
}

/// <summary>A delivery this node has leased, with what it needs to send it.</summary>
internal sealed record ClaimedDelivery
{
    public required string DeliveryId { get; init; }
    public required string EventId { get; init; }
    public required string WebhookId { get; init; }
    public required string Url { get; init; }
    public string? Secret { get; init; }
    public string? NextSecret { get; init; }
    public long? NextSecretAt { get; init; }
    public required string WebhookStatus { get; init; }
    public int AttemptCount { get; init; }
    public int RoundAttempts { get; init; }
    public required byte[] Body { get; init; }

    public string? SigningSecret(long now) => NextSecret is not null && NextSecretAt <= now ? NextSecret : Secret;
}

/// <summary>What happened to one claimed delivery, written back in batches.</summary>
internal sealed record DeliveryOutcome(
    string DeliveryId, string WebhookId, string NewStatus, long? NextAttemptAt, AttemptRecord? Attempt, string? DisableWebhookReason);

/// <summary>Which tenant's objects a query may see. Exactly one property is set, or none for the admin.</summary>
internal sealed record OwnerScope(string? AccountId = null, string? OrgId = null, string? AppId = null)
{
    public static OwnerScope Everything { get; } = new();

    public static OwnerScope Account(string accountId) => new(AccountId: accountId);

    public static OwnerScope Organization(string orgId) => new(OrgId: orgId);

    public static OwnerScope App(string appId) => new(AppId: appId);
}

internal sealed record Page(int Number, int Size)
{
    public int Offset => Number * Size;
}

internal sealed record PagedList<T>(IReadOnlyList<T> Items, bool HasMore);

internal sealed record EventFilter(string? Name, long? FromCreatedAt, long? ToCreatedAt);

internal sealed record DeliveryFilter(string? WebhookId, string? EventId, string? Status);

/// <summary>The result of storing an event: new, or the one already stored under the same id.</summary>
internal sealed record StoreEventResult(EventRecord Event, bool Created, int DeliveryCount);
