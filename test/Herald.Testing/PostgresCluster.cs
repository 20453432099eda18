using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the installed binaries, on a free loopback port, that a test may stop and start
/// again (to take the database away from running Herald nodes). As root, initdb and pg_ctl run as the postgres user.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;
    private readonly string _options;
    private readonly bool _asRoot = Environment.UserName == "root";

    private PostgresCluster(string bin, string dataDir, int port, string options)
    {
        _bin = bin;
        _dataDir = dataDir;
        _options = options;
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50;Timeout=30";
    }

    /// <summary>A connection string of a user that may create databases.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Creates and starts a cluster. <paramref name="durable"/> keeps fsync on (benchmarks); tests turn it off.</summary>
    public static async Task<PostgresCluster> StartAsync(bool durable = false)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: run `apt-get install -y postgresql` (the README's test command does this), or set HERALD_TEST_POSTGRES to a connection string.");
        var dataDir = Directory.CreateTempSubdirectory("herald-pg-").FullName;
        var port = FreePort();
        var speed = durable ? string.Empty : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var cluster = new PostgresCluster(bin, dataDir, port, $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={dataDir} -c max_connections=300{speed}");
        if (cluster._asRoot)
        {
            await RunAsync("chown", $"-R postgres:postgres {dataDir}");
        }

        await cluster.RunPgAsync("initdb", $"-D {dataDir} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8");
        await cluster.StartAgainAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopNow();
        return cluster;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server at once (<c>pg_ctl -m immediate</c>): clients lose their connections mid-statement.</summary>
    public Task StopAsync() => RunPgAsync("pg_ctl", $"-D {_dataDir} -m immediate -w stop");

    public Task StartAgainAsync() => RunPgAsync("pg_ctl", $"-D {_dataDir} -o \"{_options}\" -l {_dataDir}/server.log -w -t 60 start");

    public ValueTask DisposeAsync()
    {
        StopNow();
        return ValueTask.CompletedTask;
    }

    private void StopNow()
    {
        using var stop = Process.Start(new ProcessStartInfo(_asRoot ? "runuser" : Path.Combine(_bin, "pg_ctl"))
        {
            Arguments = (_asRoot ? $"-u postgres -- {Path.Combine(_bin, "pg_ctl")} " : string.Empty) + $"-D {_dataDir} -m immediate stop",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        stop?.WaitForExit(10_000);
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? FindBin()
    {
        const string root = "/usr/lib/postgresql";
        return !Directory.Exists(root)
            ? null
            : Directory.GetDirectories(root)
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

    private Task RunPgAsync(string tool, string arguments) =>
        _asRoot ? RunAsync("runuser", $"-u postgres -- {Path.Combine(_bin, tool)} {arguments}") : RunAsync(Path.Combine(_bin, tool), arguments);

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
