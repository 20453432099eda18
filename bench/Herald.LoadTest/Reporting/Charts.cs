using ScottPlot;

namespace Herald.LoadTest.Reporting;

/// <summary>
/// Two PNG charts of a run: delivered/s beside the wire limit per row, and accept→arrival latency (p50, p99,
/// p99.9; logarithmic) per row.
/// </summary>
internal static class Charts
{
    public const string ThroughputFile = "server-throughput.png";
    public const string LatencyFile = "server-latency.png";

    private static readonly Color Wire = Colors.Gray.WithAlpha(0.55);
    private static readonly Color Delivered = new("#1f77b4");
    private static readonly Color Baseline = new("#d62728");
    private static readonly Color[] Percentiles = [new("#2ca02c"), new("#ff7f0e"), new("#9467bd")];

    public static void Write(RunReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var rows = report.Measurements;
        var labels = rows.Select(Label).ToArray();
        var subtitle = $"{report.Date:yyyy-MM-dd}, {report.Machine.Split(" (")[0]}, load {report.LoadBefore:0.0}–{report.LoadAfter:0.0}";

        var throughput = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < rows.Count; i++)
        {
            bars.Add(new Bar { Position = i - 0.2, Value = rows[i].WireLimit, FillColor = Wire, Size = 0.38 });
            bars.Add(new Bar
            {
                Position = i + 0.2, Value = rows[i].DeliveredPerSecond, FillColor = rows[i].System == "Herald" ? Delivered : Baseline, Size = 0.38,
                Label = $"{rows[i].WireRatio:0.00}",
            });
        }

        throughput.Add.Bars(bars).ValueLabelStyle.FontSize = 11;
        Finish(throughput, labels, $"Delivered/s and the wire limit ({subtitle})", "deliveries per second");
        throughput.Axes.Margins(bottom: 0);
        throughput.Legend.ManualItems.Add(new LegendItem { LabelText = "wire limit (bare HttpClient, same receiver and concurrency)", FillColor = Wire });
        throughput.Legend.ManualItems.Add(new LegendItem { LabelText = "Herald delivered/s (label: ÷ wire limit)", FillColor = Delivered });
        throughput.Legend.ManualItems.Add(new LegendItem { LabelText = "Hangfire baseline", FillColor = Baseline });
        throughput.ShowLegend(Alignment.UpperRight);
        throughput.SavePng(Path.Combine(folder, ThroughputFile), Math.Max(900, 90 * rows.Count), 620);

        // Log10 bars from 0.1 ms, with ticks labelled in milliseconds.
        var latency = new Plot();
        const double Floor = -1;
        var latencyBars = new List<Bar>();
        for (var i = 0; i < rows.Count; i++)
        {
            double?[] values = [rows[i].P50Ms, rows[i].P99Ms, rows[i].P999Ms];
            for (var p = 0; p < values.Length; p++)
            {
                if (values[p] is { } ms)
                {
                    latencyBars.Add(new Bar
                    {
                        Position = i + ((p - 1) * 0.27), Value = Math.Log10(Math.Max(0.1, ms)), ValueBase = Floor, FillColor = Percentiles[p], Size = 0.25,
                    });
                }
            }
        }

        latency.Add.Bars(latencyBars);
        Finish(latency, labels, $"Accept → arrival latency ({subtitle})", "milliseconds (log scale)");
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (position, text) in new[] { (-1.0, "0.1"), (0, "1"), (1, "10"), (2, "100"), (3, "1 000"), (4, "10 000"), (5, "100 000") })
        {
            ticks.AddMajor(position, text);
        }

        latency.Axes.Left.TickGenerator = ticks;
        latency.Axes.SetLimitsY(Floor, Math.Max(3, latencyBars.Select(b => b.Value).DefaultIfEmpty(0).Max() + 0.5));
        string[] names = ["p50", "p99", "p99.9"];
        for (var p = 0; p < names.Length; p++)
        {
            latency.Legend.ManualItems.Add(new LegendItem { LabelText = names[p], FillColor = Percentiles[p] });
        }

        latency.ShowLegend(Alignment.UpperLeft);
        latency.SavePng(Path.Combine(folder, LatencyFile), Math.Max(900, 90 * rows.Count), 620);
    }

    private static void Finish(Plot plot, string[] labels, string title, string yLabel)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < labels.Length; i++)
        {
            ticks.AddMajor(i, labels[i]);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, labels.Length - 0.4);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Title(title, size: 14);
        plot.YLabel(yLabel);
        plot.HideGrid();
        plot.Grid.YAxisStyle.IsVisible = true;
    }

    private static string Label(Measurement m) =>
        $"{m.Scenario}, {(m.Store == "PostgreSQL" ? "PG" : m.Store)}{(m.Nodes > 1 ? $" ×{m.Nodes}" : string.Empty)}{(m.System == "Herald" ? string.Empty : " (Hangfire)")}";
}
