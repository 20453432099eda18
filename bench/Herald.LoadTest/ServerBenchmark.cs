using System.Diagnostics;
using System.Runtime.InteropServices;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;
using Herald.LoadTest.Scenarios;

namespace Herald.LoadTest;

/// <summary>
/// The server benchmark (<c>server</c> command): Herald as separate processes against a verifying receiver in
/// its own process, every figure beside the wire limit (and the Hangfire baseline) measured in the same run.
/// See docs/benchmarks.md.
/// </summary>
internal static class ServerBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        IReadOnlyList<ScenarioCase> cases;
        try
        {
            options = BenchOptions.Parse(args);
            cases = ScenarioCatalog.Select(options);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        if (options.Replot is { } results)
        {
            var chartFolder = options.Charts ?? Path.GetDirectoryName(results)!;
            Charts.Write(await ReportWriter.ReadAsync(results), chartFolder);
            Console.WriteLine($"Wrote {chartFolder}/{Charts.ThroughputFile}, {Charts.LatencyFile}");
            return 0;
        }

        if (Stopwatch.Frequency != 1_000_000_000 || !OperatingSystem.IsLinux())
        {
            // Arrival and accept times come from two processes: they must share CLOCK_MONOTONIC (Linux, ns ticks).
            Console.Error.WriteLine("The server benchmark needs Linux: it compares monotonic timestamps across processes and reads /proc.");
            return 2;
        }

        var date = TimeProvider.System.GetUtcNow();
        var loadBefore = ProcessSample.LoadAverage();
        Console.WriteLine($"Herald server benchmark: {string.Join(", ", cases)}; load average {loadBefore:0.00}");
        await using var context = await BenchContext.StartAsync(options);
        foreach (var scenarioCase in cases)
        {
            try
            {
                await scenarioCase.Scenario.RunAsync(context, scenarioCase);
            }
            catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException or IOException or System.Data.Common.DbException or TaskCanceledException)
            {
                context.Failures.Add($"{scenarioCase}: {exception.Message}");
                context.Log($"{scenarioCase} FAILED: {exception.Message}");
            }
        }

        RunReport.Compare(context.Results);
        var report = new RunReport(
            date, options.CommandLine, RunReport.DescribeMachine(), $".NET {Environment.Version}, {BuildOutputs.Configuration} build, {RuntimeInformation.ProcessArchitecture}",
            options.ServerDll, context.PostgresDescription, loadBefore, ProcessSample.LoadAverage(), context.Results, context.Failures);
        ReportWriter.WriteConsole(report);
        if (options.Out is { } folder)
        {
            await ReportWriter.WriteFilesAsync(report, folder);
            Console.WriteLine($"Wrote {folder}/results.md, results.json, {Charts.ThroughputFile}, {Charts.LatencyFile}");
        }

        if (options.Charts is { } charts)
        {
            Charts.Write(report, charts);
            Console.WriteLine($"Wrote {charts}/{Charts.ThroughputFile}, {Charts.LatencyFile}");
        }

        return context.Failures.Count == 0 && context.Results.All(m => m.Complete) ? 0 : 1;
    }
}
