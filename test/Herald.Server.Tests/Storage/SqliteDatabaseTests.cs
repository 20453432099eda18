using System.Data.Common;
using Herald.Server.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Tests.Storage;

/// <summary>The embedded database's connections and its in-process writer queue (SQLite only, whatever the suite's store).</summary>
public sealed class SqliteDatabaseTests : IAsyncDisposable
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("herald-sqlite-").FullName;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataPath, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static async Task<long> PragmaAsync(DbConnection connection, string pragma)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_pooled_connection_keeps_the_session_settings_each_database_asked_for()
    {
        var full = SqliteDatabase.ForDataFolder(_dataPath, "FULL");
        var normal = SqliteDatabase.ForDataFolder(_dataPath, "NORMAL");
        var token = TestContext.Current.CancellationToken;

        // Twice each, so the second open reuses the pooled native connection the first one configured.
        for (var round = 0; round < 2; round++)
        {
            await using (var connection = await full.OpenAsync(token))
            {
                Assert.Equal(2, await PragmaAsync(connection, "synchronous"));
                Assert.Equal(30_000, await PragmaAsync(connection, "busy_timeout"));
                Assert.Equal(0, await PragmaAsync(connection, "foreign_keys"));
            }

            await using (var connection = await normal.OpenAsync(token))
            {
                Assert.Equal(1, await PragmaAsync(connection, "synchronous"));
                Assert.Equal(30_000, await PragmaAsync(connection, "busy_timeout"));
            }
        }
    }

    [Fact]
    public async Task Writers_take_turns_and_a_writer_that_fails_lets_the_next_one_in()
    {
        var database = SqliteDatabase.ForDataFolder(_dataPath, "NORMAL");
        var token = TestContext.Current.CancellationToken;
        await database.MigrateAsync(TimeProvider.System, token);

        await using (var connection = await database.OpenAsync(token))
        {
            try
            {
                await using var failing = await database.BeginWriteAsync(connection, token);
                await using var insert = connection.CreateCommand();
                insert.Transaction = failing.Transaction;
                insert.CommandText = "INSERT INTO accounts (id, name, created_at) VALUES ('acct_rolled_back', 'x', 0)";
                await insert.ExecuteNonQueryAsync(token);
                throw new InvalidOperationException("the writer fails before committing");
            }
            catch (InvalidOperationException)
            {
            }
        }

        // 40 writers at once: each waits its turn in the queue instead of meeting SQLite's busy lock.
        var turnsHeld = 0;
        var mostAtOnce = 0;
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            await using var connection = await database.OpenAsync(token);
            await using var write = await database.BeginWriteAsync(connection, token);
            var now = Interlocked.Increment(ref turnsHeld);
            InterlockedMax(ref mostAtOnce, now);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = write.Transaction;
                insert.CommandText = $"INSERT INTO accounts (id, name, created_at) VALUES ('acct_{i}', 'x', 0)";
                await insert.ExecuteNonQueryAsync(token);
            }

            await Task.Yield();
            Interlocked.Decrement(ref turnsHeld);
            await write.Transaction.CommitAsync(token);
        }, token))).WaitAsync(TimeSpan.FromMinutes(1), token);

        Assert.Equal(1, mostAtOnce);
        await using var reader = await database.OpenAsync(token);
        await using var count = reader.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM accounts";
        Assert.Equal(40L, Convert.ToInt64(await count.ExecuteScalarAsync(token), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
