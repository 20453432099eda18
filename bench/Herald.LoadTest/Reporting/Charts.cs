using ScottPlot;

namespace Herald.LoadTest.Reporting;

/// <summary>
/// Two PNG charts of a run, one group of bars per row of the table, both on logarithmic axes so that figures
/// orders of magnitude apart stay readable: delivered/s beside the wire limit (labelled with their ratio), and
/// accept→arrival latency p50, p99 and p99.9.
/// </summary>
internal static class Charts
{
    public const string ThroughputFile = "server-throughput.png";
    public const string LatencyFile = "server-latency.png";

    private static readonly Color Wire = new("#b0b0b0");
    private static readonly Color Herald = new("#1f77b4");
    private static readonly Color Baseline = new("#d62728");
    private static readonly Color[] Percentiles = [new("#2ca02c"), new("#ff7f0e"), new("#9467bd")];

    public static void Write(RunReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var rows = report.Measurements;
        var context = $"{report.Date:yyyy-MM-dd}, {report.Machine.Split(" (")[0]}, load average {report.LoadBefore:0.0}–{report.LoadAfter:0.0}";

        using var throughput = new LogBarChart(rows.Count, floor: 0);
        for (var i = 0; i < rows.Count; i++)
        {
            var m = rows[i];
            throughput.Add(i - 0.2, 0.38, m.WireLimit, Wire);
            throughput.Add(i + 0.2, 0.38, m.DeliveredPerSecond, m.System == "Herald" ? Herald : Baseline, m.Saturating ? $"{m.WireRatio:0.00}" : "paced");
        }

        throughput.Save(
            Path.Combine(folder, ThroughputFile), rows, $"Delivered/s and the wire limit ({context})", "deliveries per second",
            [("wire limit: bare HttpClient, same receiver and concurrency", Wire), ("Herald (label: ÷ wire limit)", Herald), ("Hangfire baseline", Baseline)]);

        using var latency = new LogBarChart(rows.Count, floor: -1);
        for (var i = 0; i < rows.Count; i++)
        {
            double?[] values = [rows[i].P50Ms, rows[i].P99Ms, rows[i].P999Ms];
            for (var p = 0; p < values.Length; p++)
            {
                if (values[p] is { } ms)
                {
                    latency.Add(i + ((p - 1) * 0.27), 0.25, ms, Percentiles[p]);
                }
            }
        }

        latency.Save(
            Path.Combine(folder, LatencyFile), rows, $"Accept → arrival latency ({context})", "milliseconds",
            [("p50", Percentiles[0]), ("p99", Percentiles[1]), ("p99.9", Percentiles[2])]);
    }

    /// <summary>Bars of log10(value) from a floor (10^floor), one group per table row.</summary>
    private sealed class LogBarChart(int groups, double floor) : IDisposable
    {
        private readonly Plot _plot = new();
        private readonly List<Bar> _bars = [];

        public void Add(double position, double width, double value, Color color, string? label = null) =>
            _bars.Add(new Bar
            {
                Position = position, Size = width, FillColor = color, ValueBase = floor, Label = label ?? string.Empty,
                Value = Math.Log10(Math.Max(Math.Pow(10, floor), value)),
            });

        public void Save(string path, IReadOnlyList<Measurement> rows, string title, string yLabel, IEnumerable<(string Text, Color Color)> legend)
        {
            var bars = _plot.Add.Bars(_bars);
            bars.ValueLabelStyle.FontSize = 11;

            var top = Math.Ceiling(_bars.Select(b => b.Value).DefaultIfEmpty(floor + 1).Max() + 0.3);
            var yTicks = new ScottPlot.TickGenerators.NumericManual();
            for (var power = (int)floor; power <= top; power++)
            {
                yTicks.AddMajor(power, Math.Pow(10, power).ToString("#,0.###", System.Globalization.CultureInfo.InvariantCulture));
            }

            _plot.Axes.Left.TickGenerator = yTicks;
            _plot.Axes.SetLimitsY(floor, top);

            var xTicks = new ScottPlot.TickGenerators.NumericManual();
            for (var i = 0; i < rows.Count; i++)
            {
                xTicks.AddMajor(i, Label(rows[i]));
            }

            _plot.Axes.Bottom.TickGenerator = xTicks;
            _plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            _plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            _plot.Axes.Bottom.MinimumSize = 190;
            _plot.Axes.Bottom.MajorTickStyle.Length = 0;
            _plot.Axes.SetLimitsX(-0.6, groups - 0.4);
            _plot.Title(title, size: 15);
            _plot.YLabel(yLabel);
            _plot.HideGrid();
            _plot.Grid.YAxisStyle.IsVisible = true;
            foreach (var (text, color) in legend)
            {
                _plot.Legend.ManualItems.Add(new LegendItem { LabelText = text, FillColor = color });
            }

            _plot.ShowLegend(Edge.Right);
            _plot.SavePng(path, 420 + (70 * groups), 680);
        }

        public void Dispose() => _plot.Dispose();

        private static string Label(Measurement m) =>
            $"{m.Scenario}, {(m.Store == "PostgreSQL" ? "PG" : m.Store)}{(m.Nodes > 1 ? $" ×{m.Nodes}" : string.Empty)}";
    }
}
