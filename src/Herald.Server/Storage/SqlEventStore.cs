using System.Data.Common;
using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Herald.Internal;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Server.Storage;

/// <summary>
/// Events and their deliveries. Concurrent <see cref="StoreAsync"/> calls share transactions (group commit): each is
/// answered only after the commit that holds it, so 201 still means committed, but one fsync serves everyone who was
/// waiting. Rows are written in one statement per table on PostgreSQL and through one prepared statement on SQLite.
/// </summary>
internal sealed class SqlEventStore : IEventStore, IAsyncDisposable
{
    private const string InsertColumns = "id, name, account_id, app_id, created_at, version, content_hash, body, ingested_at, trace_parent";
    private const string Columns = "seq, " + InsertColumns;

    // A group stops growing at this many events; a batch_create of 1000 still goes in one piece.
    private const int MaxEventsPerGroup = 2000;

    // A group is rewritten from scratch when another transaction stored one of its ids in between (PostgreSQL only).
    private const int MaxRaceRetries = 5;

    private readonly SqlDatabase _database;
    private readonly GroupCommitQueue<StoreRequest, StoreEventsResult> _groups;

    public SqlEventStore(SqlDatabase database)
    {
        _database = database;
        _groups = new GroupCommitQueue<StoreRequest, StoreEventsResult>(CommitGroupAsync, MaxEventsPerGroup, request => request.Events.Count);
    }

    private sealed record StoreRequest(IReadOnlyList<PendingEvent> Events, long Now);

    public Task<StoreEventsResult> StoreAsync(IReadOnlyList<PendingEvent> events, long now, CancellationToken cancellationToken) =>
        _groups.CommitAsync(new StoreRequest(events, now));

    private async Task<IReadOnlyList<StoreEventsResult>> CommitGroupAsync(IReadOnlyList<StoreRequest> group, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var write = await _database.BeginWriteAsync(connection, cancellationToken);
            var transaction = write.Transaction;
            var results = await WriteAsync(_database, connection, transaction, group, cancellationToken);
            if (results is null && attempt < MaxRaceRetries)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            await transaction.CommitAsync(cancellationToken);
            return results ?? throw new InvalidOperationException("Events kept colliding with concurrent inserts of the same ids.");
        }
    }

    /// <summary>Stores one request's events inside the caller's transaction (a partner disconnect's event); null when another transaction raced it.</summary>
    public static async Task<StoreEventsResult?> InsertAsync(
        SqlDatabase database, DbConnection connection, DbTransaction transaction, IReadOnlyList<PendingEvent> events, long now, CancellationToken cancellationToken) =>
        (await WriteAsync(database, connection, transaction, [new StoreRequest(events, now)], cancellationToken))?[0];

    /// <summary>
    /// Decides each request against the stored events and those earlier in the group (a repeated id with the same
    /// content is the stored event; with other content the whole request is refused, writing nothing of it), then
    /// writes the new events and their deliveries. Null when a concurrent transaction stored one of the ids first.
    /// </summary>
    private static async Task<IReadOnlyList<StoreEventsResult>?> WriteAsync(
        SqlDatabase database, DbConnection connection, DbTransaction transaction, IReadOnlyList<StoreRequest> group, CancellationToken cancellationToken)
    {
        var ids = group.SelectMany(r => r.Events).Select(e => e.Event.Id).Distinct(StringComparer.Ordinal).ToArray();
        var known = (await connection.QueryAsync<StoredEvent>(new CommandDefinition(
                $"SELECT {Columns} FROM events WHERE {database.In("id", "ids")}", new { ids }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(e => e.Id, StringComparer.Ordinal);

        var results = new StoreEventsResult[group.Count];
        var inserts = new List<(PendingEvent Pending, long Now)>();
        for (var r = 0; r < group.Count; r++)
        {
            var request = group[r];
            var decided = new List<StoreEventResult>(request.Events.Count);
            var fresh = new List<PendingEvent>();
            int? conflict = null;
            for (var i = 0; i < request.Events.Count && conflict is null; i++)
            {
                var pending = request.Events[i];
                if (known.TryGetValue(pending.Event.Id, out var existing))
                {
                    if (existing.ContentHash.AsSpan().SequenceEqual(pending.Event.ContentHash))
                    {
                        decided.Add(new StoreEventResult(existing, Created: false, DeliveryCount: 0));
                    }
                    else
                    {
                        conflict = i;
                    }

                    continue;
                }

                known[pending.Event.Id] = pending.Event;
                fresh.Add(pending);
                decided.Add(new StoreEventResult(pending.Event, Created: true, pending.Deliveries.Count));
            }

            if (conflict is not null)
            {
                // Nothing of a refused request is written: forget the ids it claimed in this group.
                foreach (var pending in fresh)
                {
                    known.Remove(pending.Event.Id);
                }

                results[r] = new StoreEventsResult([], conflict);
                continue;
            }

            inserts.AddRange(fresh.Select(p => (p, request.Now)));
            results[r] = new StoreEventsResult(decided, null);
        }

        var sequence = await InsertEventsAsync(connection, transaction, inserts, cancellationToken);
        if (sequence is null)
        {
            return null;
        }

        await InsertDeliveriesAsync(connection, transaction, inserts, cancellationToken);
        for (var r = 0; r < results.Length; r++)
        {
            if (results[r].ConflictIndex is null)
            {
                results[r] = results[r] with
                {
                    Results = [.. results[r].Results.Select(result => result.Created ? result with { Event = result.Event with { Seq = sequence[result.Event.Id] } } : result)],
                };
            }
        }

        return results;
    }

    /// <summary>Inserts the events; their sequence numbers by id, or null when one of them was stored meanwhile by another transaction.</summary>
    private static async Task<Dictionary<string, long>?> InsertEventsAsync(
        DbConnection connection, DbTransaction transaction, List<(PendingEvent Pending, long Now)> inserts, CancellationToken cancellationToken)
    {
        var sequence = new Dictionary<string, long>(inserts.Count, StringComparer.Ordinal);
        if (inserts.Count == 0)
        {
            return sequence;
        }

        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"""
                INSERT INTO events ({InsertColumns})
                SELECT * FROM unnest(@id, @name, @account, @app, @created, @version, @hash, @body, @ingested, @traceParent)
                ON CONFLICT (id) DO NOTHING RETURNING id, seq
                """,
                postgres,
                (NpgsqlTransaction)transaction);
            var events = inserts.Select(i => i.Pending.Event).ToArray();
            command.Array("id", NpgsqlDbType.Text, events.Select(e => e.Id).ToArray());
            command.Array("name", NpgsqlDbType.Text, events.Select(e => e.Name).ToArray());
            command.Array("account", NpgsqlDbType.Text, events.Select(e => e.AccountId).ToArray());
            command.Array("app", NpgsqlDbType.Text, events.Select(e => e.AppId).ToArray());
            command.Array("created", NpgsqlDbType.Bigint, events.Select(e => e.CreatedAt).ToArray());
            command.Array("version", NpgsqlDbType.Text, events.Select(e => e.Version).ToArray());
            command.Array("hash", NpgsqlDbType.Bytea, events.Select(e => e.ContentHash).ToArray());
            command.Array("body", NpgsqlDbType.Bytea, events.Select(e => e.Body).ToArray());
            command.Array("ingested", NpgsqlDbType.Bigint, events.Select(e => e.IngestedAt).ToArray());
            command.Array("traceParent", NpgsqlDbType.Text, events.Select(e => e.TraceParent).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sequence[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        else
        {
            await using var command = connection.Command(transaction,
                $"INSERT INTO events ({InsertColumns}) VALUES ($id, $name, $account, $app, $created, $version, $hash, $body, $ingested, $traceParent) ON CONFLICT (id) DO NOTHING RETURNING seq");
            var (id, name, account, app, created, version, hash, body, ingested, traceParent) = (
                command.Parameter("$id"), command.Parameter("$name"), command.Parameter("$account"), command.Parameter("$app"), command.Parameter("$created"),
                command.Parameter("$version"), command.Parameter("$hash"), command.Parameter("$body"), command.Parameter("$ingested"), command.Parameter("$traceParent"));
            foreach (var (pending, _) in inserts)
            {
                var stored = pending.Event;
                id.Set(stored.Id);
                name.Set(stored.Name);
                account.Set(stored.AccountId);
                app.Set(stored.AppId);
                created.Set(stored.CreatedAt);
                version.Set(stored.Version);
                hash.Set(stored.ContentHash);
                body.Set(stored.Body);
                ingested.Set(stored.IngestedAt);
                traceParent.Set(stored.TraceParent);
                if (await command.ExecuteScalarAsync(cancellationToken) is long seq)
                {
                    sequence[stored.Id] = seq;
                }
            }
        }

        return sequence.Count == inserts.Count ? sequence : null;
    }

    private static async Task InsertDeliveriesAsync(
        DbConnection connection, DbTransaction transaction, List<(PendingEvent Pending, long Now)> inserts, CancellationToken cancellationToken)
    {
        var deliveries = inserts.SelectMany(i => i.Pending.Deliveries.Select(d => (Delivery: d, i.Now))).ToArray();
        if (deliveries.Length == 0)
        {
            return;
        }

        const string Columns =
            "id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, created_at, updated_at, lease_owner, lease_token, lease_expires_at";
        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"""
                INSERT INTO deliveries ({Columns})
                SELECT d.id, d.event_id, d.event_name, d.webhook_id, d.account_id, d.app_id, d.event_account_id, '{DeliveryStatus.Queued}', 0, 0, d.due, false, d.now, d.now,
                       d.lease_owner, d.lease_token, d.lease_expires_at
                FROM unnest(@id, @event, @name, @webhook, @account, @app, @eventAccount, @now, @due, @owner, @token, @expires)
                  AS d(id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, now, due, lease_owner, lease_token, lease_expires_at)
                """,
                postgres,
                (NpgsqlTransaction)transaction);
            command.Array("id", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.Id).ToArray());
            command.Array("event", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.EventId).ToArray());
            command.Array("name", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.EventName).ToArray());
            command.Array("webhook", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.WebhookId).ToArray());
            command.Array("account", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.AccountId).ToArray());
            command.Array("app", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.AppId).ToArray());
            command.Array("eventAccount", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.EventAccountId).ToArray());
            command.Array("now", NpgsqlDbType.Bigint, deliveries.Select(d => d.Now).ToArray());
            command.Array("due", NpgsqlDbType.Bigint, deliveries.Select(d => d.Delivery.NotBefore ?? d.Now).ToArray());
            command.Array("owner", NpgsqlDbType.Text, deliveries.Select(d => d.Delivery.Lease?.Node).ToArray());
            command.Array("token", NpgsqlDbType.Bigint, deliveries.Select(d => d.Delivery.Lease?.Token).ToArray());
            command.Array("expires", NpgsqlDbType.Bigint, deliveries.Select(d => d.Delivery.Lease?.ExpiresAt).ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var insert = connection.Command(transaction,
            $"""
            INSERT INTO deliveries ({Columns})
            VALUES ($id, $event, $name, $webhook, $account, $app, $eventAccount, '{DeliveryStatus.Queued}', 0, 0, $due, 0, $now, $now, $owner, $token, $expires)
            """);
        var (id, eventId, eventName, webhook, account, app, eventAccount, now, due, owner, token, expires) = (
            insert.Parameter("$id"), insert.Parameter("$event"), insert.Parameter("$name"), insert.Parameter("$webhook"), insert.Parameter("$account"),
            insert.Parameter("$app"), insert.Parameter("$eventAccount"), insert.Parameter("$now"), insert.Parameter("$due"), insert.Parameter("$owner"),
            insert.Parameter("$token"), insert.Parameter("$expires"));
        foreach (var (delivery, at) in deliveries)
        {
            id.Set(delivery.Id);
            eventId.Set(delivery.EventId);
            eventName.Set(delivery.EventName);
            webhook.Set(delivery.WebhookId);
            account.Set(delivery.AccountId);
            app.Set(delivery.AppId);
            eventAccount.Set(delivery.EventAccountId);
            now.Set(at);
            due.Set(delivery.NotBefore ?? at);
            owner.Set(delivery.Lease?.Node);
            token.Set(delivery.Lease?.Token);
            expires.Set(delivery.Lease?.ExpiresAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<StoredEvent?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("id", id);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredEvent>(new CommandDefinition(
            $"SELECT {Columns} FROM events WHERE id = @id AND {where}", where.Parameters, cancellationToken: cancellationToken));
    }

    public async Task<PagedList<StoredEvent>> ListAsync(OwnerScope scope, EventFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, page)
            .And("id = @id", "id", filter.Id)
            .And("name = @name", "name", filter.Name)
            .And("created_at >= @from", "from", filter.FromCreatedAt)
            .And("created_at <= @to", "to", filter.ToCreatedAt);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredEvent>(new CommandDefinition(
            $"SELECT {Columns} FROM events WHERE {where} ORDER BY seq DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return PagedList<StoredEvent>.FromOverfetch(rows, page);
    }

    public ValueTask DisposeAsync() => _groups.DisposeAsync();
}
