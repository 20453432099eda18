using Herald.Contracts.Events;

namespace Herald.Core.Webhooks;

internal static class WebhookStatus
{
    public const string Enabled = "ENABLED";
    public const string Disabled = "DISABLED";
}

/// <summary>An endpoint: where events go, which ones, and the secret that signs them. Owned by an account or by a partner app.</summary>
internal sealed record Webhook
{
    public required string Id { get; init; }
    public string? AccountId { get; init; }
    public string? AppId { get; init; }
    public required string Url { get; init; }

    /// <summary>The subscribed names; empty when <see cref="AllEvents"/>.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
    public bool AllEvents { get; init; }
    public string? Secret { get; init; }
    public string? NextSecret { get; init; }
    public long? NextSecretAt { get; init; }
    public required string Status { get; init; }
    public string? DisabledReason { get; init; }

    /// <summary>Since when every attempt failed (Unix ms), or null while the endpoint takes deliveries.</summary>
    public long? FailingSince { get; init; }
    public string? Description { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public bool IsEnabled => Status == WebhookStatus.Enabled;

    /// <summary>Whether an event of this name goes here; <c>all_events</c> covers the partner event only for app webhooks.</summary>
    public bool Subscribes(string eventName) => AllEvents
        ? eventName != EventCatalog.PartnerConnectionDisconnected || AppId is not null
        : Events.Contains(eventName, StringComparer.Ordinal);

    /// <summary>The secret that signs at <paramref name="now"/>: the rotated-in one once it has activated.</summary>
    public string? SigningSecret(long now) => SigningSecrets.Current(Secret, NextSecret, NextSecretAt, now);
}

/// <summary>The rotation rule: the next secret signs from its activation time on; until then the current one does.</summary>
internal static class SigningSecrets
{
    public static string? Current(string? secret, string? nextSecret, long? nextSecretAt, long now) =>
        nextSecret is not null && nextSecretAt <= now ? nextSecret : secret;
}
