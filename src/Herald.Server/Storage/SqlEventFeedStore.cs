using System.Data.Common;
using Dapper;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Herald.Internal;

namespace Herald.Server.Storage;

/// <summary>
/// The event log in commit order. SQLite's writers commit one at a time, so its sequence order is commit order.
/// PostgreSQL's concurrent transactions can commit a lower sequence number after a higher one is visible, so there the
/// order is (writing transaction, sequence) and a read only passes transactions older than every transaction still
/// running (<c>pg_snapshot_xmin</c>): a later commit can never land behind a position already handed out.
/// </summary>
internal sealed class SqlEventFeedStore(SqlDatabase database) : IEventFeedStore
{
    private const string Columns = "e.seq, e.id, e.name, e.account_id, e.app_id, e.created_at, e.version, e.content_hash, e.body, e.ingested_at";

    // Rows written before the stream existed have no transaction id: they count as the oldest.
    private const string Transaction = "COALESCE(e.xact_id, '0'::xid8)";
    private const string Settled = $"{Transaction} < pg_snapshot_xmin(pg_current_snapshot())";

    public async Task<FeedPosition> EndAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect == SchemaDialect.Postgres)
        {
            var end = await connection.QuerySingleOrDefaultAsync<(string Transaction, long Seq)?>(new CommandDefinition(
                $"SELECT {Transaction}::text, e.seq FROM events e WHERE {Settled} ORDER BY {Transaction} DESC, e.seq DESC LIMIT 1", cancellationToken: cancellationToken));
            return end is { } position ? new FeedPosition(ulong.Parse(position.Transaction, System.Globalization.CultureInfo.InvariantCulture), position.Seq) : default;
        }

        return new FeedPosition(0, await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(seq) FROM events", cancellationToken: cancellationToken)) ?? 0);
    }

    public async Task<FeedPage> ReadAsync(OwnerScope scope, IReadOnlyCollection<string>? names, FeedPosition after, int limit, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, alias: "e")
            .And(database.In("e.name", "names"), "names", names is { Count: > 0 } ? names.ToArray() : null)
            .With("afterTransaction", after.Transaction.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("afterSeq", after.Seq)
            .With("limit", limit);
        await using var connection = await database.OpenAsync(cancellationToken);

        // The tenant's page and the horizon (the last settled event of anyone) come from one snapshot, so skipping to the
        // horizon when the tenant has nothing new passes only events that were there to be read.
        await using var snapshot = await database.BeginSnapshotAsync(connection, cancellationToken);
        List<(StoredEvent, FeedPosition)> events;
        FeedPosition horizon;
        if (database.Dialect == SchemaDialect.Postgres)
        {
            var after_ = $"({Transaction}, e.seq) > (@afterTransaction::xid8, @afterSeq)";
            events = (await connection.QueryAsync<StoredEvent, string, (StoredEvent, FeedPosition)>(
                new CommandDefinition(
                    $"""
                    SELECT {Columns}, {Transaction}::text AS xact FROM events e
                    WHERE {after_} AND {Settled} AND {where}
                    ORDER BY {Transaction}, e.seq LIMIT @limit
                    """,
                    where.Parameters, snapshot, cancellationToken: cancellationToken),
                (stored, xact) => (stored, new FeedPosition(ulong.Parse(xact, System.Globalization.CultureInfo.InvariantCulture), stored.Seq)),
                splitOn: "xact")).AsList();
            var end = await connection.QuerySingleOrDefaultAsync<(string Transaction, long Seq)?>(new CommandDefinition(
                $"SELECT {Transaction}::text, e.seq FROM events e WHERE {after_} AND {Settled} ORDER BY {Transaction} DESC, e.seq DESC LIMIT 1",
                where.Parameters, snapshot, cancellationToken: cancellationToken));
            horizon = end is { } position ? new FeedPosition(ulong.Parse(position.Transaction, System.Globalization.CultureInfo.InvariantCulture), position.Seq) : after;
        }
        else
        {
            events = [.. (await connection.QueryAsync<StoredEvent>(new CommandDefinition(
                    $"SELECT {Columns} FROM events e WHERE e.seq > @afterSeq AND {where} ORDER BY e.seq LIMIT @limit",
                    where.Parameters, snapshot, cancellationToken: cancellationToken)))
                .Select(stored => (stored, new FeedPosition(0, stored.Seq)))];
            var end = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(seq) FROM events", transaction: snapshot, cancellationToken: cancellationToken));
            horizon = end is { } seq && seq > after.Seq ? new FeedPosition(0, seq) : after;
        }

        await snapshot.CommitAsync(cancellationToken);

        // A full page stops at its last event; a short one has read everything settled, so it continues from the horizon.
        var next = events.Count == limit ? events[^1].Item2 : horizon;
        return new FeedPage(events, next);
    }
}
