using System.Text.Json;

namespace Herald.Server.Api.Events;

/// <summary>An event to publish. <c>data</c> holds <c>object</c> (the resource) and optionally <c>error</c>.</summary>
internal sealed record CreateEventRequest(string? Id, string? Name, string? AccountId, JsonElement? Data, string? CreatedAt, string? Version);

internal sealed record BatchCreateEventsRequest(List<CreateEventRequest?>? Events);

/// <summary>
/// The event envelope exactly as endpoints receive it (for the API reference; responses carry the stored bytes).
/// Account events carry <c>account_id</c>, partner events <c>app_id</c>.
/// </summary>
internal sealed record EventEnvelope(string Id, string Name, string? AccountId, string? AppId, JsonElement Data, string CreatedAt, string? Version);

/// <summary>A list of envelopes (for the API reference).</summary>
internal sealed record EventEnvelopeList(IReadOnlyList<EventEnvelope> Items, bool HasMore);
