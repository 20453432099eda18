using System.Globalization;
using System.Runtime.InteropServices;

namespace Herald.LoadTest.Reporting;

/// <summary>Everything one run measured, with what is needed to judge and repeat it.</summary>
internal sealed record RunReport(
    DateTimeOffset Date, string Command, string Machine, string Runtime, string ServerDll, string? Postgres,
    double LoadBefore, double LoadAfter, IReadOnlyList<Measurement> Measurements, IReadOnlyList<string> Failures)
{
    public static string DescribeMachine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var gib = long.Parse(memory, CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return $"{Environment.ProcessorCount} cores ({cpu}), {gib:N0} GiB, {RuntimeInformation.OSDescription}";
    }

    /// <summary>Adds the ratios between rows of this run: Herald to the baseline, several nodes to one.</summary>
    public static void Compare(IReadOnlyList<Measurement> measurements)
    {
        var herald = measurements.Where(m => m.System == "Herald").ToList();
        foreach (var baseline in measurements.Where(m => m.System != "Herald"))
        {
            var same = herald.LastOrDefault(m => m.Scenario == "one-endpoint" && m.Store == baseline.Store && m.Nodes == 1);
            if (same is not null && baseline.DeliveredPerSecond > 0)
            {
                same.Notes.Add($"{same.DeliveredPerSecond / baseline.DeliveredPerSecond:0.0} × the Hangfire baseline's delivered/s");
                baseline.Notes.Add($"Herald one-endpoint on {same.Store} delivers {same.DeliveredPerSecond / baseline.DeliveredPerSecond:0.0} × this");
            }
        }

        foreach (var several in herald.Where(m => m.Nodes > 1))
        {
            var one = herald.LastOrDefault(m => m.Scenario == several.Scenario && m.Store == several.Store && m.Nodes == 1);
            if (one is not null && one.DeliveredPerSecond > 0 && one.CpuSecondsPer1000 > 0)
            {
                var database = several.DatabaseCpuSecondsPer1000 is { } many && one.DatabaseCpuSecondsPer1000 is > 0 and var single
                    ? $", database CPU per delivery {many / single:0.00}"
                    : string.Empty;
                several.Notes.Add($"{several.Nodes} nodes ÷ 1 node: delivered/s {several.DeliveredPerSecond / one.DeliveredPerSecond:0.00}, " +
                    $"Herald CPU per delivery {several.CpuSecondsPer1000 / one.CpuSecondsPer1000:0.00}{database}");
            }
        }
    }
}
