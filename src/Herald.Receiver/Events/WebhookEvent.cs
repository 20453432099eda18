using System.Text.Json;

namespace Herald.Receiver.Events;

/// <summary>
/// A webhook event as sent by Airwallex or a Herald server: the envelope fields plus the raw JSON.
/// Parsed leniently: <c>account_id</c> or <c>accountId</c>, <c>data.object</c> or <c>data</c>, an absent,
/// null or empty <c>org_id</c>. Every catalog name has a sealed subtype; other names parse as
/// <see cref="UnknownWebhookEvent"/>.
/// </summary>
/// <remarks>
/// Parsing reads the envelope's top-level fields and only locates <c>data</c> (it is most of the body); <see cref="Data"/>
/// and everything derived from it are read from <see cref="RawJson"/> on first access. A <c>data</c> that is not
/// valid JSON therefore throws <see cref="FormatException"/> on that first access, not when the event is built.
/// Events handed to <see cref="IWebhookHandler{TEvent}"/> are already fully read.
/// </remarks>
public abstract class WebhookEvent
{
    private static readonly JsonReaderOptions DataReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 };

    // Published once by reference: readers on other threads see either null or a complete view.
    private DataView? _view;

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

    /// <summary>The <c>data</c> member as received (undefined when absent). Read from <see cref="RawJson"/> on first access.</summary>
    /// <exception cref="FormatException">The <c>data</c> member is not valid JSON.</exception>
    public JsonElement Data => View.Data;

    /// <summary>The exact body bytes the event was parsed from.</summary>
    public ReadOnlyMemory<byte> RawJson { get; internal set; }

    /// <summary>The id of the resource the event is about (<c>data.object.id</c>), used for ordering; <see langword="null"/> when there is none.</summary>
    public virtual string? ObjectId => null;

    /// <summary>Where the <c>data</c> value lies in <see cref="RawJson"/>; length 0 when the member is absent.</summary>
    internal Range DataRange { get; set; }

    /// <summary>
    /// <see cref="Data"/> and its resource (<c>data.object</c> when it is an object, else <c>data</c> itself when
    /// that is an object, else undefined), parsed on first use.
    /// </summary>
    private protected DataView View => _view ?? Interlocked.CompareExchange(ref _view, ReadView(), null) ?? _view;

    /// <summary>Reads everything that is otherwise read on first access, so shape errors surface now.</summary>
    /// <exception cref="FormatException">Some part of <c>data</c> is not valid JSON or does not have the expected shape.</exception>
    internal virtual void Materialize() => _ = View;

    private DataView ReadView()
    {
        var (offset, length) = DataRange.GetOffsetAndLength(RawJson.Length);
        if (length == 0)
        {
            return new DataView(default, default);
        }

        JsonElement data;
        try
        {
            var reader = new Utf8JsonReader(RawJson.Span.Slice(offset, length), DataReaderOptions);
            data = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The data of '{Name}' event '{Id}' is not valid JSON: {exception.Message}", exception);
        }

        var resource = data.ValueKind != JsonValueKind.Object ? default
            : data.TryGetProperty("object", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner
            : data;
        return new DataView(data, resource);
    }

    /// <summary>The parsed <c>data</c> member and its resource object.</summary>
    /// <param name="Data">The <c>data</c> member (undefined when absent).</param>
    /// <param name="Resource">The resource object (undefined when there is none).</param>
    private protected sealed record DataView(JsonElement Data, JsonElement Resource);
}

/// <summary>An event whose name this version of the library does not know; <see cref="WebhookEvent.RawJson"/> keeps everything.</summary>
public sealed class UnknownWebhookEvent : WebhookEvent;
