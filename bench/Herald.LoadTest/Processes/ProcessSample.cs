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
        var fields = StatFields(pid);
        var ticks = Field(fields, 14) + Field(fields, 15);
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

    /// <summary>
    /// CPU seconds of a process and its children, live and exited: its own utime + stime, the cutime + cstime of
    /// the children it has reaped, and the same for each child still running. For PostgreSQL's postmaster this is
    /// the whole server: backends, WAL writer, checkpointer, autovacuum.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        var ticks = AllTicks(StatFields(pid));
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child) && child != pid)
            {
                try
                {
                    var fields = StatFields(child);
                    ticks += Field(fields, 4) == pid ? AllTicks(fields) : 0;
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Exited while we looked; its time is now in the parent's cutime.
                }
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>The 1-minute load average of the machine (<c>/proc/loadavg</c>).</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>The fields of <c>/proc/PID/stat</c> from field 3 on.</summary>
    private static string[] StatFields(int pid)
    {
        // The command name in field 2 may hold spaces and parentheses: count fields after its closing parenthesis.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>Field <paramref name="number"/> as proc(5) numbers them (1-based, from the pid).</summary>
    private static long Field(string[] fieldsFromThird, int number) => long.Parse(fieldsFromThird[number - 3], CultureInfo.InvariantCulture);

    private static long AllTicks(string[] fields) => Field(fields, 14) + Field(fields, 15) + Field(fields, 16) + Field(fields, 17);

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
