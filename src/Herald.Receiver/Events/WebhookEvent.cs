using System.Text.Json;

namespace Herald.Receiver.Events;

/// <summary>
/// A webhook event as sent by Airwallex or a Herald server: the envelope fields plus the raw JSON.
/// Parsed leniently: <c>account_id</c> or <c>accountId</c>, <c>data.object</c> or <c>data</c>, an absent,
/// null or empty <c>org_id</c>. Every catalog name has a sealed subtype; other names parse as
/// <see cref="UnknownWebhookEvent"/>.
/// </summary>
public abstract class WebhookEvent
{
    /// <summary>The event id; the same on every redelivery, so deduplicate on it.</summary>
    public string Id { get; internal set; } = string.Empty;

    /// <summary>The event name, for example <c>payment_intent.succeeded</c>.</summary>
    public string Name { get; internal set; } = string.Empty;

    /// <summary>The account the event belongs to (account events); <see langword="null"/> for partner events.</summary>
    public string? AccountId { get; internal set; }

    /// <summary>The partner application (partner events such as <c>partner_connection.disconnected</c>).</summary>
    public string? AppId { get; internal set; }

    /// <summary>When the event happened (<c>created_at</c>), or <see langword="null"/> when absent or unreadable.</summary>
    public DateTimeOffset? CreatedAt { get; internal set; }

    /// <summary>The event version, for example <c>2026-02-27</c>, when sent.</summary>
    public string? Version { get; internal set; }

    /// <summary>The <c>data</c> member as received (undefined when absent).</summary>
    public JsonElement Data { get; internal set; }

    /// <summary>The exact body bytes the event was parsed from.</summary>
    public ReadOnlyMemory<byte> RawJson { get; internal set; }

    /// <summary>The id of the resource the event is about (<c>data.object.id</c>), used for ordering; <see langword="null"/> when there is none.</summary>
    public virtual string? ObjectId => null;

    /// <summary>Reads the type-specific part of <c>data</c>.</summary>
    /// <param name="data">The <c>data</c> member (may be undefined).</param>
    internal abstract void ReadData(JsonElement data);

    /// <summary>Reads everything that is otherwise read on first access, so shape errors surface now.</summary>
    internal virtual void Materialize()
    {
    }
}

/// <summary>An event whose name this version of the library does not know; <see cref="WebhookEvent.RawJson"/> keeps everything.</summary>
public sealed class UnknownWebhookEvent : WebhookEvent
{
    internal override void ReadData(JsonElement data)
    {
    }
}
