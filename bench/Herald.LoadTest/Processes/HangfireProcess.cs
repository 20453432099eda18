using System.Globalization;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Processes;

/// <summary>The Hangfire baseline (<c>bench/Herald.Bench.Hangfire</c>) in its own process.</summary>
internal sealed class HangfireProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _acceptedFile;

    private HangfireProcess(ChildProcess process, string acceptedFile)
    {
        _process = process;
        _acceptedFile = acceptedFile;
    }

    public ProcessSample Sample() => _process.Sample();

    /// <summary>Starts it and waits until Hangfire's server runs (schema made, workers started).</summary>
    public static async Task<HangfireProcess> StartAsync(
        string dll, string workDir, string connectionString, Uri receiver, string run, int endpoints, int workers, int publishers, TimeSpan duration, long maxEvents)
    {
        var acceptedFile = Path.Combine(workDir, $"hangfire-{run}-accepted.tsv");
        string[] arguments =
        [
            "--Connection", connectionString, "--Receiver", receiver.ToString().TrimEnd('/'), "--Run", run,
            "--Endpoints", endpoints.ToString(CultureInfo.InvariantCulture), "--Workers", workers.ToString(CultureInfo.InvariantCulture),
            "--Publishers", publishers.ToString(CultureInfo.InvariantCulture), "--DurationSeconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--MaxEvents", maxEvents.ToString(CultureInfo.InvariantCulture), "--AcceptedFile", acceptedFile,
        ];
        var process = ChildProcess.StartDotnet("hangfire", dll, arguments, new Dictionary<string, string>(), Path.Combine(workDir, $"hangfire-{run}.log"));
        await process.WaitForLineAsync(line => line == "ready", TimeSpan.FromSeconds(60));
        return new HangfireProcess(process, acceptedFile);
    }

    /// <summary>Publishes (in the baseline's process) and returns the accept times once publishing ended.</summary>
    public async Task<AcceptLog> PublishAsync(TimeSpan timeout)
    {
        await _process.WriteLineAsync("go");
        var line = await _process.WaitForLineAsync(l => l.StartsWith("published ", StringComparison.Ordinal), timeout);
        var started = long.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
        var accepted = (await File.ReadAllLinesAsync(_acceptedFile))
            .Select(l => l.Split('\t'))
            .Select(fields => (Sequence: int.Parse(fields[0], CultureInfo.InvariantCulture), Timestamp: long.Parse(fields[1], CultureInfo.InvariantCulture)))
            .ToList();
        var acceptedAt = new long[accepted.Count == 0 ? 0 : accepted.Max(a => a.Sequence) + 1];
        foreach (var (sequence, timestamp) in accepted)
        {
            acceptedAt[sequence] = timestamp;
        }

        return new AcceptLog(started, acceptedAt);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
