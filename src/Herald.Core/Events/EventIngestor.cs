using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Contracts.Json;
using Herald.Core.Accounts;
using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Herald.Internal;
using Microsoft.Extensions.Options;

namespace Herald.Core.Events;

/// <summary>An event as a producer publishes it; every member may be missing, so that validation names what is wrong.</summary>
internal sealed record PublishEvent(string? Id, string? Name, string? AccountId, JsonElement? Data, string? CreatedAt = null, string? Version = null);

/// <summary>
/// Validates published events, serializes each envelope once, fans it out and stores it with its deliveries in one
/// transaction. Accepted means committed: the caller answers 201 only after this returns.
/// </summary>
internal sealed partial class EventIngestor(
    IEventStore events,
    IAccountStore accounts,
    IWebhookStore webhooks,
    IDeliveryHandOff handOff,
    EventFeed feed,
    WakeSignal dispatch,
    TimeProvider timeProvider,
    IOptions<EventOptions> options,
    HeraldMetrics metrics)
{
    // \A and \z, not ^ and $: "$" also matches before a final "\n", which would let "evt_1\n" pass as a different id.
    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,128}\z")]
    private static partial Regex EventIdPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,32}\z")]
    private static partial Regex VersionPattern();

    /// <summary>Validates and stores one event; <c>Created</c> is false when the same event was stored before under its id.</summary>
    public async Task<StoreEventResult> PublishAsync(PublishEvent request, CancellationToken cancellationToken) =>
        (await IngestAsync([request], batch: false, cancellationToken))[0];

    /// <summary>Validates and stores a batch, all or nothing.</summary>
    public async Task<IReadOnlyList<StoreEventResult>> PublishBatchAsync(IReadOnlyList<PublishEvent?>? requests, CancellationToken cancellationToken)
    {
        if (requests is not { Count: > 0 })
        {
            throw HeraldException.Validation($"events is required: a list of 1 to {EventOptions.MaxBatchSize} events.", "events");
        }

        if (requests.Count > EventOptions.MaxBatchSize)
        {
            throw HeraldException.Validation($"A batch holds at most {EventOptions.MaxBatchSize} events; split it.", "events");
        }

        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is null)
            {
                throw HeraldException.Validation("Each event must be an object.", $"events[{i}]");
            }
        }

        return await IngestAsync(requests!, batch: true, cancellationToken);
    }

    /// <summary>Ingests under a <c>herald.ingest</c> span, whose context is stored with the events: their attempts are its children.</summary>
    private async Task<IReadOnlyList<StoreEventResult>> IngestAsync(IReadOnlyList<PublishEvent> requests, bool batch, CancellationToken cancellationToken)
    {
        using var activity = HeraldActivities.StartIngest(requests.Count);
        try
        {
            var results = await IngestAsync(requests, batch, HeraldActivities.TraceParent(activity), cancellationToken);
            var created = results.Count(r => r.Created);
            metrics.EventsIngested(created);
            if (activity.IsAllDataRequested)
            {
                activity.SetTag("herald.events.created", created);
                activity.SetTag("herald.deliveries.count", results.Sum(r => r.DeliveryCount));
            }

            return results;
        }
        catch (Exception exception)
        {
            HeraldActivities.Fail(activity, exception);
            throw;
        }
    }

    private async Task<IReadOnlyList<StoreEventResult>> IngestAsync(IReadOnlyList<PublishEvent> requests, bool batch, string? traceParent, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var records = new List<StoredEvent>(requests.Count);
        for (var index = 0; index < requests.Count; index++)
        {
            records.Add(Validate(requests[index], batch ? $"events[{index}]." : string.Empty, now) with { TraceParent = traceParent });
        }

        var accountIds = records.Select(r => r.AccountId!).Distinct(StringComparer.Ordinal).ToList();
        var known = (await accounts.GetAccountsAsync(accountIds, OwnerScope.Everything, cancellationToken)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var missing = records.FindIndex(r => !known.Contains(r.AccountId!));
        if (missing >= 0)
        {
            throw HeraldException.NotFound(
                $"No account {records[missing].AccountId}; create it with POST /api/v1/accounts/create first.",
                (batch ? $"events[{missing}]." : string.Empty) + "account_id");
        }

        var duplicateInBatch = records.GroupBy(r => r.Id, StringComparer.Ordinal)
            .FirstOrDefault(g => g.Select(r => Convert.ToHexString(r.ContentHash)).Distinct(StringComparer.Ordinal).Count() > 1);
        if (duplicateInBatch is not null)
        {
            throw HeraldException.Conflict($"The batch holds event id {duplicateInBatch.Key} twice with different content.", "events");
        }

        var targets = await webhooks.GetAccountEventTargetsAsync(accountIds, cancellationToken);
        var webhooksById = new Dictionary<string, Webhook>(StringComparer.Ordinal);
        var pending = new List<PendingEvent>(records.Count);
        foreach (var record in records)
        {
            var candidates = targets[record.AccountId!];
            foreach (var webhook in candidates)
            {
                webhooksById.TryAdd(webhook.Id, webhook);
            }

            // The deliveries this node's dispatcher can take now are written leased to it and handed over after the commit.
            // Those whose endpoint's circuit is open here wait for its probe, like the deliveries it already holds.
            var deliveries = FanOut.Deliveries(record, candidates)
                .Select(delivery => handOff.PausedUntil(delivery.WebhookId) is { } until ? delivery with { NotBefore = until }
                    : handOff.TryReserve(delivery.WebhookId) is { } lease ? delivery with { Lease = lease }
                    : delivery)
                .ToList();
            pending.Add(new PendingEvent(record, deliveries));
        }

        StoreEventsResult outcome;
        try
        {
            outcome = await events.StoreAsync(pending, now.ToUnixTimeMilliseconds(), cancellationToken);
        }
        catch
        {
            CancelReservations(pending);
            throw;
        }

        if (outcome.ConflictIndex is { } conflict)
        {
            CancelReservations(pending);
            throw HeraldException.Conflict(
                $"Event {records[conflict].Id} already exists with different content; use a new id for a new event.",
                batch ? $"events[{conflict}].id" : "id");
        }

        HandOver(pending, outcome.Results, webhooksById);
        feed.Notify();
        if (outcome.Results.Any(r => r.DeliveryCount > 0))
        {
            // For the deliveries not handed over (and other nodes' dispatchers polling for work).
            dispatch.Notify();
        }

        return outcome.Results;
    }

    /// <summary>Starts the stored deliveries that were reserved; gives back the reservations of events that were not stored.</summary>
    private void HandOver(List<PendingEvent> pending, IReadOnlyList<StoreEventResult> results, Dictionary<string, Webhook> webhooksById)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            var (stored, deliveries) = pending[i];
            foreach (var delivery in deliveries)
            {
                if (delivery.Lease is not { } lease)
                {
                    continue;
                }

                if (!results[i].Created)
                {
                    handOff.Cancel(delivery.WebhookId);
                    continue;
                }

                var webhook = webhooksById[delivery.WebhookId];
                handOff.Dispatch(new ClaimedDelivery
                {
                    DeliveryId = delivery.Id,
                    EventId = stored.Id,
                    WebhookId = webhook.Id,
                    Url = webhook.Url,
                    Secret = webhook.Secret,
                    NextSecret = webhook.NextSecret,
                    NextSecretAt = webhook.NextSecretAt,
                    WebhookStatus = webhook.Status,
                    WebhookFailingSince = webhook.FailingSince,
                    Body = stored.Body,
                    LeaseToken = lease.Token,
                    TraceParent = stored.TraceParent,
                });
            }
        }
    }

    private void CancelReservations(List<PendingEvent> pending)
    {
        foreach (var delivery in pending.SelectMany(p => p.Deliveries).Where(d => d.Lease is not null))
        {
            handOff.Cancel(delivery.WebhookId);
        }
    }

    private StoredEvent Validate(PublishEvent request, string prefix, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(request.Name))
        {
            throw HeraldException.Validation("name is required: one of the names listed by GET /api/v1/event_types.", prefix + "name");
        }

        if (!EventCatalog.TryGet(request.Name, out var type))
        {
            throw HeraldException.Validation($"Unknown event name '{request.Name}'; GET /api/v1/event_types lists the accepted names.", prefix + "name");
        }

        if (type.IsPartnerLevel)
        {
            throw HeraldException.Validation($"{type.Name} is emitted by Herald when an app is disconnected and cannot be published.", prefix + "name");
        }

        if (string.IsNullOrEmpty(request.AccountId))
        {
            throw HeraldException.Validation("account_id is required: the account the event belongs to.", prefix + "account_id");
        }

        var id = request.Id;
        if (id is null)
        {
            id = Ids.New(Ids.Event);
        }
        else if (!EventIdPattern().IsMatch(id))
        {
            throw HeraldException.Validation("id must be 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-'.", prefix + "id");
        }

        var createdAt = now;
        if (request.CreatedAt is not null && !WebhookTimestamps.TryParse(request.CreatedAt, out createdAt))
        {
            throw HeraldException.Validation("created_at must be an ISO 8601 instant with an offset, e.g. 2026-05-20T13:54:20+0000.", prefix + "created_at");
        }

        if (request.Version is not null && !VersionPattern().IsMatch(request.Version))
        {
            throw HeraldException.Validation("version must be 1 to 32 characters of letters, digits, '.', '_' and '-', e.g. 2026-02-27.", prefix + "version");
        }

        var data = SerializeData(request.Data, prefix);
        var version = request.Version ?? options.Value.DefaultVersion;
        var body = WebhookEnvelope.Serialize(id, type.Name, request.AccountId, null, data, createdAt, version);
        if (body.Length > options.Value.MaxEventBytes)
        {
            throw HeraldException.PayloadTooLarge(
                $"The event's envelope is {body.Length / 1024} KiB, more than the {options.Value.MaxEventBytes / 1024} KiB an event may be; send a smaller data.object.",
                prefix + "data");
        }

        return new StoredEvent
        {
            Id = id,
            Name = type.Name,
            AccountId = request.AccountId,
            CreatedAt = createdAt.ToUnixTimeMilliseconds() / 1000 * 1000,
            Version = version,
            ContentHash = ContentHash(request, data),
            Body = body,
            IngestedAt = now.ToUnixTimeMilliseconds(),
        };
    }

    /// <summary>
    /// Writes <c>data</c> as <c>{"object":…,"error":…}</c> in the form JavaScript's <c>JSON.stringify(JSON.parse(…))</c>
    /// gives back, so integrations that verify over re-serialized JSON still verify; the producer's values are kept.
    /// </summary>
    private static byte[] SerializeData(JsonElement? data, string prefix)
    {
        if (data is not { ValueKind: JsonValueKind.Object } element)
        {
            throw HeraldException.Validation("data is required: an object holding the resource as \"object\" and, optionally, \"error\".", prefix + "data");
        }

        // First, before anything reads a string out of it: invalid UTF-8, lone surrogates, duplicate keys and excessive
        // depth anywhere in data are refused, naming where.
        if (!CanonicalJson.TryCanonicalize(element, new ArrayBufferWriter<byte>(), prefix + "data", out var invalid))
        {
            throw HeraldException.Validation(invalid.Message, invalid.Path);
        }

        JsonElement? resource = null;
        JsonElement? error = null;
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "object":
                    resource = property.Value;
                    break;
                case "error" when property.Value.ValueKind != JsonValueKind.Null:
                    error = property.Value;
                    break;
                case "error":
                    break;
                default:
                    throw HeraldException.Validation($"data may hold only \"object\" and \"error\", not \"{property.Name}\".", $"{prefix}data.{property.Name}");
            }
        }

        if (resource is not { ValueKind: JsonValueKind.Object })
        {
            throw HeraldException.Validation("data.object is required and must be a JSON object: the resource as your API returns it.", prefix + "data.object");
        }

        if (error is { } e)
        {
            ValidateError(e, prefix + "data.error");
        }

        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("{\"object\":"u8);
        CanonicalJson.TryCanonicalize(resource.Value, buffer, prefix + "data.object", out _);
        if (error is { } err)
        {
            buffer.Write(",\"error\":"u8);
            CanonicalJson.TryCanonicalize(err, buffer, prefix + "data.error", out _);
        }

        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void ValidateError(JsonElement error, string source)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            throw HeraldException.Validation("data.error must be an object with code and message.", source);
        }

        foreach (var required in new[] { "code", "message" })
        {
            if (!error.TryGetProperty(required, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
            {
                throw HeraldException.Validation($"data.error.{required} is required and must be a non-empty string.", $"{source}.{required}");
            }
        }

        foreach (var property in error.EnumerateObject())
        {
            if (property.Name is not ("code" or "message" or "source" or "provider_original_response_code"))
            {
                throw HeraldException.Validation($"data.error may hold code, message, source and provider_original_response_code, not \"{property.Name}\".", $"{source}.{property.Name}");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw HeraldException.Validation($"data.error.{property.Name} must be a string.", $"{source}.{property.Name}");
            }
        }
    }

    /// <summary>What makes a repeated id "the same event": the producer's fields, not Herald's defaults.</summary>
    private static byte[] ContentHash(PublishEvent request, byte[] data)
    {
        var text = string.Join('\n', request.Name, request.AccountId, request.CreatedAt ?? string.Empty, request.Version ?? string.Empty);
        var head = Encoding.UTF8.GetBytes(text + "\n");
        return SHA256.HashData([.. head, .. data]);
    }
}
