using System.Data.Common;
using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Tenants;

namespace Herald.Server.Storage;

internal sealed class SqlEventStore(SqlDatabase database) : IEventStore
{
    private const string InsertColumns = "id, name, account_id, app_id, created_at, version, content_hash, body, ingested_at";
    private const string Columns = "seq, " + InsertColumns;

    public async Task<StoreEventsResult> StoreAsync(IReadOnlyList<PendingEvent> events, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await InsertAsync(connection, transaction, events, now, cancellationToken);
        if (result.ConflictIndex is not null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return result;
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Inserts events and their deliveries inside the caller's transaction; on a conflict the caller must roll back.</summary>
    public static async Task<StoreEventsResult> InsertAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<PendingEvent> events, long now, CancellationToken cancellationToken)
    {
        var results = new List<StoreEventResult>(events.Count);
        for (var index = 0; index < events.Count; index++)
        {
            var (record, deliveries) = events[index];
            var inserted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"INSERT INTO events ({InsertColumns}) VALUES (@Id, @Name, @AccountId, @AppId, @CreatedAt, @Version, @ContentHash, @Body, @IngestedAt) ON CONFLICT (id) DO NOTHING RETURNING seq",
                record, transaction, cancellationToken: cancellationToken));
            if (inserted is null)
            {
                var existing = await connection.QuerySingleAsync<StoredEvent>(new CommandDefinition(
                    $"SELECT {Columns} FROM events WHERE id = @Id", record, transaction, cancellationToken: cancellationToken));
                if (!existing.ContentHash.AsSpan().SequenceEqual(record.ContentHash))
                {
                    return new StoreEventsResult([], index);
                }

                results.Add(new StoreEventResult(existing, Created: false, DeliveryCount: 0));
                continue;
            }

            if (deliveries.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"""
                    INSERT INTO deliveries (id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, created_at, updated_at)
                    VALUES (@Id, @EventId, @EventName, @WebhookId, @AccountId, @AppId, @EventAccountId, '{DeliveryStatus.Queued}', 0, 0, @Now, @False, @Now, @Now)
                    """,
                    deliveries.Select(d => new { d.Id, d.EventId, d.EventName, d.WebhookId, d.AccountId, d.AppId, d.EventAccountId, Now = now, False = false }),
                    transaction, cancellationToken: cancellationToken));
            }

            results.Add(new StoreEventResult(record with { Seq = inserted.Value }, Created: true, deliveries.Count));
        }

        return new StoreEventsResult(results, null);
    }

    public async Task<StoredEvent?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("id", id);
        await using var connection = await database.OpenAsync(cancellationToken);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredEvent>(new CommandDefinition(
            $"SELECT {Columns} FROM events WHERE {where} ORDER BY seq DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return PagedList<StoredEvent>.FromOverfetch(rows, page);
    }
}
