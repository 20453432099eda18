using System.Diagnostics;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// Makes a large backlog of queued retries fast, straight in the server's database: copies of one real queued
/// retry (a delivery Herald created through the API and attempted once), differing only in <c>id</c> and
/// <c>next_attempt_at</c>.
/// </summary>
internal sealed class BacklogSeeder(HeraldDeployment herald, string templateDeliveryId)
{
    private readonly TemplateRows _rows = new(herald);

    /// <summary>
    /// Adds copies numbered <paramref name="from"/> up to <paramref name="to"/> (exclusive), their next attempts
    /// spread evenly over <paramref name="spread"/> from <paramref name="firstAttempt"/>.
    /// </summary>
    public async Task<TimeSpan> SeedAsync(long from, long to, DateTimeOffset firstAttempt, TimeSpan spread)
    {
        var started = Stopwatch.GetTimestamp();
        await using var connection = await herald.OpenDatabaseAsync();
        var expressions = new Dictionary<string, string>
        {
            ["id"] = "t.id || '-' || CAST(n.i AS TEXT)",
            ["next_attempt_at"] = "@dueFrom + (n.i % @spread)",
        };
        var parameters = new Dictionary<string, object> { ["dueFrom"] = firstAttempt.ToUnixTimeMilliseconds(), ["spread"] = (long)spread.TotalMilliseconds };
        for (var chunk = from; chunk < to; chunk += TemplateRows.Chunk)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await _rows.CopyAsync(connection, transaction, "deliveries", "id", templateDeliveryId, chunk, Math.Min(to, chunk + TemplateRows.Chunk), expressions, parameters);
            await transaction.CommitAsync();
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
