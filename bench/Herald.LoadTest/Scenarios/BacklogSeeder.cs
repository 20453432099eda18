using System.Data.Common;
using System.Diagnostics;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// Makes a large backlog of queued retries fast, straight in the server's database: copies of one real queued
/// retry (a delivery Herald created through the API and attempted once), differing only in <c>id</c> and
/// <c>next_attempt_at</c>. Every other column is copied as it is, whatever the schema holds, so the seeder
/// depends on those two column names and the <c>deliveries</c> table alone.
/// </summary>
internal sealed class BacklogSeeder(HeraldDeployment herald, string templateDeliveryId)
{
    private const long Chunk = 50_000;

    /// <summary>
    /// Adds copies numbered <paramref name="from"/> up to <paramref name="to"/> (exclusive), their next attempts
    /// spread evenly over <paramref name="spread"/> from <paramref name="firstAttempt"/>.
    /// </summary>
    public async Task<TimeSpan> SeedAsync(long from, long to, DateTimeOffset firstAttempt, TimeSpan spread)
    {
        var started = Stopwatch.GetTimestamp();
        await using var connection = await herald.OpenDatabaseAsync();
        var columns = await CopiedColumnsAsync(connection);
        var sql =
            $"""
            WITH RECURSIVE n(i) AS (SELECT CAST(@from AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < @last)
            INSERT INTO deliveries ({string.Join(", ", columns)})
            SELECT {string.Join(", ", columns.Select(Expression))}
            FROM n CROSS JOIN (SELECT * FROM deliveries WHERE id = @template) t
            """;
        for (var chunk = from; chunk < to; chunk += Chunk)
        {
            // One transaction per chunk, so the server's own writes wait at most one chunk.
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.CommandTimeout = 600;
            Add(command, "from", chunk);
            Add(command, "last", Math.Min(to, chunk + Chunk) - 1);
            Add(command, "template", templateDeliveryId);
            Add(command, "dueFrom", firstAttempt.ToUnixTimeMilliseconds());
            Add(command, "spread", (long)spread.TotalMilliseconds);
            var inserted = await command.ExecuteNonQueryAsync();
            if (inserted != Math.Min(to, chunk + Chunk) - chunk)
            {
                throw new InvalidOperationException($"Seeding inserted {inserted} rows from {chunk}; is {templateDeliveryId} in deliveries?");
            }

            await transaction.CommitAsync();
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static string Expression(string column) => column switch
    {
        "id" => "t.id || '-' || CAST(n.i AS TEXT)",
        "next_attempt_at" => "@dueFrom + (n.i % @spread)",
        _ => "t." + column,
    };

    /// <summary>The columns a plain INSERT may set: not identity, generated or SQLite rowid columns.</summary>
    private async Task<IReadOnlyList<string>> CopiedColumnsAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = herald.Store == StoreKind.Sqlite
            ? "SELECT name FROM pragma_table_xinfo('deliveries') WHERE hidden = 0 AND NOT (pk = 1 AND upper(type) = 'INTEGER')"
            : "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'deliveries' AND is_identity = 'NO' AND is_generated = 'NEVER' ORDER BY ordinal_position";
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns.Contains("id") && columns.Contains("next_attempt_at")
            ? columns
            : throw new InvalidOperationException("The deliveries table has no id or next_attempt_at column: update BacklogSeeder for the new schema.");
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
