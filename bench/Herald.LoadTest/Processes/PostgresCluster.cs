using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Herald.LoadTest.Processes;

/// <summary>
/// The PostgreSQL the PostgreSQL scenarios share: a throwaway cluster from the installed binaries on a free
/// loopback port, with durable settings (a commit is on disk before it is acknowledged), or a server the user
/// names with <c>--postgres</c>. Each scenario gets a fresh database.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    /// <summary>
    /// Only what a benchmark on loopback needs beyond the defaults. fsync, synchronous_commit and full_page_writes
    /// keep their defaults (on): the figures are for durable commits, as Herald's 201 promises.
    /// </summary>
    public const string Settings = "fsync=on, synchronous_commit=on, full_page_writes=on (defaults), max_connections=400, shared_buffers=256MB";

    private readonly string? _dataDir;
    private readonly string? _pgCtl;
    private int _databases;

    private PostgresCluster(string adminConnectionString, string description, string? dataDir, string? pgCtl)
    {
        AdminConnectionString = adminConnectionString;
        Description = description;
        _dataDir = dataDir;
        _pgCtl = pgCtl;
    }

    public string AdminConnectionString { get; }

    /// <summary>What the report says about the database: version and settings.</summary>
    public string Description { get; }

    public static async Task<PostgresCluster> ConnectAsync(string adminConnectionString)
    {
        var version = await QueryVersionAsync(adminConnectionString);
        return new PostgresCluster(adminConnectionString, $"{version}, an existing server (--postgres)", null, null);
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: `apt-get install -y postgresql`, or pass --postgres with a connection string to a server whose user may create databases.");
        // Its own temp folder: the postgres user must own it (and reach it, which a private parent folder would prevent).
        var dataDir = Directory.CreateTempSubdirectory("herald-bench-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb and pg_ctl refuse to run as root; the cluster belongs to the postgres user.
            await RunAsync("chown", ["-R", "postgres:postgres", dataDir]);
        }

        var port = LoopbackPort.Free();
        var pgCtl = Path.Combine(bin, "pg_ctl");
        await RunPgAsync(asRoot, Path.Combine(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        var options = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={dataDir} -c max_connections=400 -c shared_buffers=256MB";
        await RunPgAsync(asRoot, pgCtl, ["-D", dataDir, "-o", options, "-l", Path.Combine(dataDir, "server.log"), "-w", "-t", "60", "start"]);
        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=30";
        var version = await QueryVersionAsync(admin);
        var cluster = new PostgresCluster(admin, $"{version}, throwaway cluster: {Settings}", dataDir, pgCtl);
        ExitCleanup.Register(cluster, () => StopNow(asRoot, pgCtl, dataDir));
        return cluster;
    }

    /// <summary>
    /// CPU seconds the whole server (postmaster and every backend and helper, exited ones included) has used, or
    /// null for a server the harness did not start.
    /// </summary>
    public double? CpuSeconds()
    {
        var pidFile = _dataDir is null ? null : Path.Combine(_dataDir, "postmaster.pid");
        return pidFile is not null && File.Exists(pidFile)
            ? ProcessSample.TreeCpuSeconds(int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>A new empty database; the connection string Herald (or Hangfire) gets.</summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"bench_{Interlocked.Increment(ref _databases)}_{purpose}".Replace('-', '_').ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDir is null || _pgCtl is null)
        {
            return;
        }

        ExitCleanup.Unregister(this);
        await RunPgAsync(Environment.UserName == "root", _pgCtl, ["-D", _dataDir, "-m", "fast", "-w", "stop"]);
        Directory.Delete(_dataDir, recursive: true);
    }

    private static void StopNow(bool asRoot, string pgCtl, string dataDir)
    {
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            return;
        }

        var start = new ProcessStartInfo(asRoot ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])(asRoot ? ["-u", "postgres", "--", pgCtl] : []))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in (string[])["-D", dataDir, "-m", "immediate", "stop"])
        {
            start.ArgumentList.Add(argument);
        }

        using var stop = Process.Start(start);
        stop?.WaitForExit(10_000);
        Directory.Delete(dataDir, recursive: true);
    }

    private static async Task<string> QueryVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW server_version", connection);
        return $"PostgreSQL {await command.ExecuteScalarAsync()}";
    }

    private static string? FindBin()
    {
        const string Root = "/usr/lib/postgresql";
        return Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(dir => File.Exists(Path.Combine(dir, "initdb")))
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
    }


    private static Task RunPgAsync(bool asRoot, string tool, IReadOnlyList<string> arguments) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", tool, .. arguments]) : RunAsync(tool, arguments);

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
