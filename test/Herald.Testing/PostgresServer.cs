using System.Globalization;
using Npgsql;

namespace Herald.Testing;

/// <summary>
/// A real PostgreSQL server for tests. Uses <c>HERALD_TEST_POSTGRES</c> (a connection string to a server
/// whose user may create databases) when set; otherwise starts a throwaway cluster from the installed
/// PostgreSQL binaries on a free loopback port, once per test process, and stops it at exit.
/// Each caller gets its own fresh database.
/// </summary>
public static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static int _databaseCounter;

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "herald")
    {
        var admin = await GetAdminConnectionStringAsync();
        var name = $"{prefix}_{Interlocked.Increment(ref _databaseCounter).ToString(CultureInfo.InvariantCulture)}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    private static async Task<string> GetAdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null)
        {
            return _adminConnectionString;
        }

        await Gate.WaitAsync();
        try
        {
            _adminConnectionString ??= Environment.GetEnvironmentVariable("HERALD_TEST_POSTGRES") is { Length: > 0 } configured
                ? configured
                : await StartThrowawayClusterAsync();
            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartThrowawayClusterAsync() => (await PostgresCluster.StartAsync()).AdminConnectionString;
}
