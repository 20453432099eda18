using System.Globalization;

namespace Herald.LoadTest.Processes;

/// <summary>
/// A process's CPU time so far (<c>/proc/PID/stat</c> utime + stime) and memory (<c>/proc/PID/status</c>
/// VmRSS now, VmHWM the peak resident set since it started).
/// </summary>
internal readonly record struct ProcessSample(double CpuSeconds, long RssBytes, long PeakRssBytes)
{
    // /proc reports CPU time in USER_HZ clock ticks, which the kernel fixes at 100 per second for user space.
    private const double TicksPerSecond = 100;

    public static ProcessSample Read(int pid)
    {
        // The command name in field 2 may hold spaces and parentheses: count fields after its closing parenthesis.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }

        return new ProcessSample(ticks / TicksPerSecond, rss, peak);
    }

    /// <summary>The 1-minute load average of the machine (<c>/proc/loadavg</c>).</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
