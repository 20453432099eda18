using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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

    private static async Task<string> StartThrowawayClusterAsync()
    {
        var bin = FindPostgresBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: run `apt-get install -y postgresql` (the README's test command does this), or set HERALD_TEST_POSTGRES to a connection string.");
        var dataDir = Directory.CreateTempSubdirectory("herald-pg-").FullName;
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb and pg_ctl refuse to run as root; the cluster belongs to the postgres user.
            await RunAsync("chown", $"-R postgres:postgres {dataDir}");
        }

        await RunPgAsync(asRoot, Path.Combine(bin, "initdb"), $"-D {dataDir} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8");
        var options = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={dataDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await RunPgAsync(asRoot, Path.Combine(bin, "pg_ctl"), $"-D {dataDir} -o \"{options}\" -l {dataDir}/server.log -w -t 60 start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            var stop = Process.Start(new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(bin, "pg_ctl"))
            {
                Arguments = (asRoot ? $"-u postgres -- {Path.Combine(bin, "pg_ctl")} " : string.Empty) + $"-D {dataDir} -m immediate stop",
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            stop?.WaitForExit(10_000);
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50;Timeout=30";
    }

    private static string? FindPostgresBin()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(dir => File.Exists(Path.Combine(dir, "initdb")))
            .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunPgAsync(bool asRoot, string tool, string arguments) =>
        asRoot ? RunAsync("runuser", $"-u postgres -- {tool} {arguments}") : RunAsync(tool, arguments);

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        }) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{file} {arguments}` exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
