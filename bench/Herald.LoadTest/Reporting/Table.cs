using System.Globalization;
using System.Text;

namespace Herald.LoadTest.Reporting;

/// <summary>The results as rows of text cells, shared by the console and markdown outputs.</summary>
internal static class Table
{
    public static readonly string[] Header =
    [
        "scenario", "system", "store", "nodes", "ingest", "endpoints", "wire limit/s", "accepted/s", "delivered/s", "÷ wire",
        "p50 ms", "p99 ms", "p99.9 ms", "CPU s/1k", "DB CPU s/1k", "peak RSS MiB",
    ];

    /// <summary>Right-aligned columns (numbers).</summary>
    public static bool IsNumeric(int column) => column >= 3 && Header[column] is not ("ingest" or "endpoints");

    public static string[] Row(Measurement m) =>
    [
        m.Scenario, m.System, m.Store, N(m.Nodes), m.Ingest, m.Endpoints, N(m.WireLimit), N(m.AcceptedPerSecond), N(m.DeliveredPerSecond),
        m.Saturating ? m.WireRatio.ToString("0.00", CultureInfo.InvariantCulture) : "(paced)", Ms(m.P50Ms), Ms(m.P99Ms), Ms(m.P999Ms),
        m.CpuSecondsPer1000.ToString("0.00", CultureInfo.InvariantCulture),
        m.DatabaseCpuSecondsPer1000?.ToString("0.00", CultureInfo.InvariantCulture) ?? "–", N(m.PeakRssMiB),
    ];

    /// <summary>What a row's cells cannot say: incomplete deliveries, re-sends, bad signatures, comparisons.</summary>
    public static IEnumerable<string> Remarks(Measurement m)
    {
        if (!m.Complete)
        {
            yield return $"INCOMPLETE: {m.Delivered:N0} of {m.Expected:N0} deliveries arrived before the drain timeout";
        }

        if (m.WireSamples.Count > 1 && m.WireSamples.Max() > 1.25 * m.WireSamples.Min())
        {
            yield return $"the wire limit moved from {m.WireSamples[0]:N0}/s before to {m.WireSamples[^1]:N0}/s after (a busy machine); the row uses the mean";
        }

        if (m.Duplicates > 0)
        {
            yield return $"{m.Duplicates:N0} duplicate arrivals";
        }

        if (m.Rejected > 0)
        {
            yield return $"{m.Rejected:N0} requests with a bad signature";
        }

        foreach (var note in m.Notes)
        {
            yield return note;
        }
    }

    public static string Text(IReadOnlyList<Measurement> measurements)
    {
        var rows = measurements.Select(Row).ToList();
        var widths = Header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => IsNumeric(i) ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        Line(Header);
        Line([.. widths.Select(w => new string('-', w))]);
        rows.ForEach(Line);
        foreach (var (m, index) in measurements.Select((m, i) => (m, i + 1)))
        {
            foreach (var remark in Remarks(m))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  [{index}] {m.Scenario} ({m.Store}{(m.Nodes > 1 ? $", {m.Nodes} nodes" : string.Empty)}): {remark}");
            }
        }

        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<Measurement> measurements)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Header) + " |");
        text.AppendLine("| " + string.Join(" | ", Header.Select((_, i) => IsNumeric(i) ? "---:" : "---")) + " |");
        foreach (var m in measurements)
        {
            text.AppendLine("| " + string.Join(" | ", Row(m)) + " |");
        }

        text.AppendLine();
        foreach (var m in measurements)
        {
            foreach (var remark in Remarks(m))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {m.Scenario} ({m.System}, {m.Store}{(m.Nodes > 1 ? $", {m.Nodes} nodes" : string.Empty)}): {remark}");
            }
        }

        return text.ToString();
    }

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value switch
    {
        null => "–",
        < 10 => value.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("N0", CultureInfo.InvariantCulture),
    };
}
