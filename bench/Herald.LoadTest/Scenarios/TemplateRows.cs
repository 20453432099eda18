using System.Data.Common;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// Copies one real row of a server table many times, straight in the server's database: what the API cannot make
/// fast enough (a million queued retries, a million-event log). Every column is copied as the server wrote it,
/// whatever the schema holds, except the ones given expressions; identity, generated and SQLite rowid columns are left
/// to the database. So seeding depends only on the columns it changes.
/// </summary>
internal sealed class TemplateRows(HeraldDeployment herald)
{
    /// <summary>Rows per transaction, so the server's own writes wait at most one chunk.</summary>
    public const long Chunk = 50_000;

    /// <summary>
    /// Inserts copies numbered <paramref name="from"/> to <paramref name="to"/> (exclusive) of the row of
    /// <paramref name="table"/> whose <paramref name="keyColumn"/> is <paramref name="key"/>, in one transaction.
    /// In <paramref name="expressions"/>, <c>t.</c> is the template row, <c>n.i</c> the copy's number, and
    /// <paramref name="parameters"/> are bound by name (<c>@name</c>).
    /// </summary>
    public async Task CopyAsync(
        DbConnection connection, DbTransaction transaction, string table, string keyColumn, string key, long from, long to,
        IReadOnlyDictionary<string, string> expressions, IReadOnlyDictionary<string, object>? parameters = null)
    {
        var columns = await CopiedColumnsAsync(connection, transaction, table);
        foreach (var column in expressions.Keys.Where(column => !columns.Contains(column)))
        {
            throw new InvalidOperationException($"The {table} table has no {column} column: update the seeding for the new schema.");
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = 600;
        command.CommandText =
            $"""
            WITH RECURSIVE n(i) AS (SELECT CAST(@from AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < @last)
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT {string.Join(", ", columns.Select(column => expressions.TryGetValue(column, out var expression) ? expression : "t." + column))}
            FROM n CROSS JOIN (SELECT * FROM {table} WHERE {keyColumn} = @template) t
            """;
        Add(command, "from", from);
        Add(command, "last", to - 1);
        Add(command, "template", key);
        foreach (var (name, value) in parameters ?? new Dictionary<string, object>())
        {
            Add(command, name, value);
        }

        var inserted = await command.ExecuteNonQueryAsync();
        if (inserted != to - from)
        {
            throw new InvalidOperationException($"Seeding {table} inserted {inserted} rows from {from}; is {key} in {table}.{keyColumn} (and only once)?");
        }
    }

    /// <summary>
    /// The columns a plain INSERT may set: not identity, generated or SQLite rowid columns, nor the event stream's
    /// commit-order column (the copy's own transaction is its value).
    /// </summary>
    private async Task<IReadOnlyList<string>> CopiedColumnsAsync(DbConnection connection, DbTransaction transaction, string table)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = herald.Store == StoreKind.Sqlite
            ? $"SELECT name FROM pragma_table_xinfo('{table}') WHERE hidden = 0 AND NOT (pk = 1 AND upper(type) = 'INTEGER')"
            : $"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' AND is_identity = 'NO' AND is_generated = 'NEVER' AND coalesce(column_default, '') NOT LIKE 'pg_current_xact_id%' ORDER BY ordinal_position";
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    public static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
