using Dapper;
using Herald.Core.Deliveries;

namespace Herald.Server.Storage;

/// <summary>
/// Counts queued deliveries by walking the partial index <c>deliveries_due</c> (<c>(next_attempt_at, id) WHERE status =
/// 'queued'</c>): each count is a range of that index read no further than the limit, and the oldest due time is its
/// first entry. So one sample reads at most three limits' worth of index entries, whatever the queue holds; no count
/// ever walks the finished deliveries. The <c>ORDER BY</c> keeps PostgreSQL on an ordered index scan, which stops at
/// the limit, even when its statistics are stale (a bitmap scan would read every match first). One round trip, the
/// same SQL on SQLite and PostgreSQL; measured figures are in docs/observability.md.
/// </summary>
internal sealed class SqlDeliveryQueueStats(SqlDatabase database) : IDeliveryQueueStats
{
    private const string Queued = $"status = '{DeliveryStatus.Queued}'";

    public async Task<DeliveryQueueStats> GetQueueStatsAsync(long now, int countLimit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // SQLite keeps no statistics and would otherwise pick deliveries_status_created and read every queued row.
        var dueIndex = database.UseIndex("deliveries_due");
        var (dueCount, scheduled, paused, oldestDueAt) = await connection.QuerySingleAsync<(long, long, long, long?)>(new CommandDefinition(
            $"""
            SELECT
              (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries {dueIndex} WHERE {Queued} AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit) due) AS due,
              (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries {dueIndex} WHERE {Queued} AND next_attempt_at > @now ORDER BY next_attempt_at LIMIT @limit) scheduled) AS scheduled,
              (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries {dueIndex} WHERE {Queued} AND next_attempt_at IS NULL ORDER BY next_attempt_at LIMIT @limit) paused) AS paused,
              (SELECT next_attempt_at FROM deliveries {dueIndex} WHERE {Queued} AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT 1) AS oldest_due_at
            """,
            new { now, limit = countLimit },
            cancellationToken: cancellationToken));
        return new DeliveryQueueStats(dueCount, scheduled, paused, oldestDueAt);
    }
}
