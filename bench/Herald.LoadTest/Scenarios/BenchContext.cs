using System.Diagnostics;
using System.Globalization;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// What the scenarios of one run share: the options, the verifying receiver process, the PostgreSQL cluster
/// (started on first use), a work folder for logs and data, and the rows measured so far.
/// </summary>
internal sealed class BenchContext : IAsyncDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private PostgresCluster? _postgres;
    private int _runs;

    private BenchContext(BenchOptions options, string workDir, ReceiverProcess receiver)
    {
        Options = options;
        WorkDir = workDir;
        Receiver = receiver;
    }

    public BenchOptions Options { get; }

    /// <summary>Logs and data of this run; kept when a scenario fails, removed otherwise.</summary>
    public string WorkDir { get; }

    public ReceiverProcess Receiver { get; }

    public List<Measurement> Results { get; } = [];

    public List<string> Failures { get; } = [];

    public string? PostgresDescription => _postgres?.Description;

    public static async Task<BenchContext> StartAsync(BenchOptions options)
    {
        var workDir = Directory.CreateTempSubdirectory("herald-bench-").FullName;
        var receiver = await ReceiverProcess.StartAsync(BuildOutputs.Receiver, workDir);
        return new BenchContext(options, workDir, receiver);
    }

    public async Task<PostgresCluster> PostgresAsync()
    {
        if (_postgres is null)
        {
            Log(Options.Postgres is null ? "starting a throwaway PostgreSQL cluster" : "connecting to the given PostgreSQL server");
            _postgres = Options.Postgres is { } existing ? await PostgresCluster.ConnectAsync(existing) : await PostgresCluster.StartAsync();
        }

        return _postgres;
    }

    /// <summary>CPU seconds used so far by the PostgreSQL cluster the harness started (null for SQLite runs and --postgres).</summary>
    public double? DatabaseCpuSeconds() => _postgres?.CpuSeconds();

    /// <summary>A short prefix that makes this phase's event ids unique.</summary>
    public string NextRun() => "r" + Interlocked.Increment(ref _runs).ToString(CultureInfo.InvariantCulture);

    public void Log(string message) => Console.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (Failures.Count == 0)
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        else
        {
            Console.WriteLine($"Logs kept in {WorkDir}");
        }
    }
}
