namespace Herald.Core.Deliveries;

internal static class DeliveryStatus
{
    public const string Queued = "queued";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsKnown(string value) => value is Queued or Success or Failed or Cancelled;
}

/// <summary>One event on its way to one webhook, with where its retries stand.</summary>
internal sealed record Delivery
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string EventName { get; init; }
    public required string WebhookId { get; init; }

    /// <summary>The webhook's owner when it is an account.</summary>
    public string? AccountId { get; init; }

    /// <summary>The webhook's owner when it is a partner app.</summary>
    public string? AppId { get; init; }

    /// <summary>The account whose event this is (none for partner events).</summary>
    public string? EventAccountId { get; init; }
    public required string Status { get; init; }
    public int AttemptCount { get; init; }

    /// <summary>Attempts in the current round of the retry schedule (a retrigger starts a new round).</summary>
    public int RoundAttempts { get; init; }
    public long? NextAttemptAt { get; init; }
    public bool Retriggered { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

/// <summary>One POST of a delivery and what came back.</summary>
internal sealed record DeliveryAttempt
{
    public long Id { get; init; }
    public required string DeliveryId { get; init; }
    public int Number { get; init; }
    public long StartedAt { get; init; }
    public long DurationMs { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }

    /// <summary>The first 4 KiB of the response body.</summary>
    public string? ResponseBody { get; init; }
}

/// <summary>A delivery with its webhook's state, read together (retrigger checks both).</summary>
internal sealed record DeliveryWithWebhookState(Delivery Delivery, bool WebhookEnabled);

/// <summary>Narrows a delivery search; the created_at bounds are Unix ms, both inclusive.</summary>
internal sealed record DeliveryFilter(string? WebhookId = null, string? EventId = null, string? Status = null, long? FromCreatedAt = null, long? ToCreatedAt = null);
