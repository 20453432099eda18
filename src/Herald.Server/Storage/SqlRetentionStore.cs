using System.Data.Common;
using Herald.Core.Deliveries;
using Herald.Core.Retention;
using Herald.Internal;
using Npgsql;

namespace Herald.Server.Storage;

internal sealed class SqlRetentionStore(SqlDatabase database) : IRetentionStore
{
    private const long SweepLockKey = 0x48_45_52_41_4C_45;

    public async Task<PurgedBatch> PurgeAsync(long cutoff, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (connection is NpgsqlConnection postgres)
        {
            // One statement: the old events (oldest first, skipping any row another transaction holds), then their attempts,
            // deliveries and themselves. The batch is small, so the locks are brief.
            await using var command = new NpgsqlCommand(
                $"""
                WITH old AS (
                  SELECT e.id FROM events e
                  WHERE e.ingested_at < @cutoff AND NOT EXISTS (SELECT 1 FROM deliveries q WHERE q.event_id = e.id AND q.status = '{DeliveryStatus.Queued}')
                  ORDER BY e.ingested_at LIMIT @batch FOR UPDATE SKIP LOCKED),
                gone_deliveries AS (DELETE FROM deliveries d USING old WHERE d.event_id = old.id RETURNING d.id),
                gone_attempts AS (DELETE FROM attempts a USING gone_deliveries g WHERE a.delivery_id = g.id RETURNING 1),
                gone_events AS (DELETE FROM events e USING old WHERE e.id = old.id RETURNING 1)
                SELECT (SELECT count(*) FROM gone_events)::int, (SELECT count(*) FROM gone_deliveries)::int, (SELECT count(*) FROM gone_attempts)::int
                """,
                postgres);
            command.Parameters.AddWithValue("cutoff", cutoff);
            command.Parameters.AddWithValue("batch", batchSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new PurgedBatch(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        }

        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        await Execute(connection, transaction, "CREATE TEMP TABLE IF NOT EXISTS retention_batch (id TEXT PRIMARY KEY)", cancellationToken);
        await Execute(connection, transaction, "DELETE FROM retention_batch", cancellationToken);
        await using (var pick = connection.Command(transaction,
            $"""
            INSERT INTO retention_batch (id)
            SELECT e.id FROM events e
            WHERE e.ingested_at < $cutoff AND NOT EXISTS (SELECT 1 FROM deliveries q WHERE q.event_id = e.id AND q.status = '{DeliveryStatus.Queued}')
            ORDER BY e.ingested_at LIMIT $batch
            """))
        {
            pick.Parameter("$cutoff", cutoff);
            pick.Parameter("$batch", batchSize);
            await pick.ExecuteNonQueryAsync(cancellationToken);
        }

        var attempts = await Execute(connection, transaction,
            "DELETE FROM attempts WHERE delivery_id IN (SELECT d.id FROM deliveries d JOIN retention_batch b ON b.id = d.event_id)", cancellationToken);
        var deliveries = await Execute(connection, transaction, "DELETE FROM deliveries WHERE event_id IN (SELECT id FROM retention_batch)", cancellationToken);
        var events = await Execute(connection, transaction, "DELETE FROM events WHERE id IN (SELECT id FROM retention_batch)", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new PurgedBatch(events, deliveries, attempts);
    }

    public async Task<IAsyncDisposable?> TryLeadSweepAsync(CancellationToken cancellationToken)
    {
        if (database.Dialect != SchemaDialect.Postgres)
        {
            return new Lead(null);
        }

        // A session advisory lock on a connection held for the sweep: one node sweeps, the others skip this round.
        var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT pg_try_advisory_lock({SweepLockKey})");
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            return new Lead(connection);
        }

        await connection.DisposeAsync();
        return null;
    }

    private static async Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class Lead(DbConnection? connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection is not null)
            {
                await using (var unlock = connection.Command(null, $"SELECT pg_advisory_unlock({SweepLockKey})"))
                {
                    await unlock.ExecuteNonQueryAsync();
                }

                await connection.DisposeAsync();
            }
        }
    }
}
