using System.Diagnostics;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Reporting;

/// <summary>One row of the report: a system (Herald or the baseline) under one scenario.</summary>
internal sealed record Measurement
{
    public required string Scenario { get; init; }

    /// <summary>Herald, or the baseline's name.</summary>
    public required string System { get; init; }

    public required string Store { get; init; }

    public required int Nodes { get; init; }

    public required string Ingest { get; init; }

    /// <summary>Published as fast as accepted (true) or at a set rate; only the former measures the maximum.</summary>
    public required bool Saturating { get; init; }

    public required string Endpoints { get; init; }

    /// <summary>Deliveries per second of the bare HttpClient loop at <see cref="WireConcurrency"/>, measured in the same run (mean of <see cref="WireSamples"/>).</summary>
    public required double WireLimit { get; init; }

    /// <summary>The wire limit just before the row's phase and, for saturating phases, just after.</summary>
    public required IReadOnlyList<double> WireSamples { get; init; }

    public required int WireConcurrency { get; init; }

    public required long Accepted { get; init; }

    public required double AcceptedPerSecond { get; init; }

    /// <summary>Deliveries owed to healthy endpoints for the accepted events.</summary>
    public required long Expected { get; init; }

    public required long Delivered { get; init; }

    /// <summary>Deliveries per second from the first publish to the last arrival.</summary>
    public required double DeliveredPerSecond { get; init; }

    /// <summary>Seconds from the first publish to the last arrival.</summary>
    public required double Seconds { get; init; }

    /// <summary>Accept (the 201 came back) to arrival at the receiver, in milliseconds; null without arrivals.</summary>
    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    public double? P999Ms { get; init; }

    /// <summary>CPU seconds the server process(es) used from the first publish to the last arrival.</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>CPU seconds the PostgreSQL server used over the same window; null when the database is in process (SQLite) or not ours.</summary>
    public double? DatabaseCpuSeconds { get; init; }

    /// <summary>Peak resident set of the largest server process since it started, in MiB.</summary>
    public required double PeakRssMiB { get; init; }

    /// <summary>Resident set at the end of the measurement, in MiB (largest process).</summary>
    public required double RssMiB { get; init; }

    /// <summary>Arrivals of an (endpoint, event) already seen: re-sends.</summary>
    public required long Duplicates { get; init; }

    /// <summary>Requests the receiver refused for a bad signature.</summary>
    public required long Rejected { get; init; }

    /// <summary>Requests to failing endpoints (answered 500) during the measurement.</summary>
    public required long FailedAttempts { get; init; }

    public List<string> Notes { get; init; } = [];

    public double CpuSecondsPer1000 => Delivered == 0 ? 0 : CpuSeconds * 1000 / Delivered;

    public double? DatabaseCpuSecondsPer1000 => Delivered == 0 ? null : DatabaseCpuSeconds * 1000 / Delivered;

    public double WireRatio => WireLimit <= 0 ? 0 : DeliveredPerSecond / WireLimit;

    public bool Complete => Delivered >= Expected;

    /// <summary>Builds a row from what the publisher, the receiver and /proc recorded.</summary>
    public static Measurement From(
        MeasurementLabels labels, AcceptLog accepts, IReadOnlyList<Arrival> arrivals, long expected,
        IReadOnlyList<(ProcessSample Before, ProcessSample After)> servers, double? databaseCpuSeconds, ReceiverStats stats, IReadOnlyList<double> wireSamples, int wireConcurrency)
    {
        var perMillisecond = Stopwatch.Frequency / 1000.0;
        var lastArrival = arrivals.Count == 0 ? accepts.Finished : arrivals.Max(a => a.Timestamp);
        var latencies = arrivals
            .Select(a => (Arrival: a.Timestamp, Accepted: accepts.AcceptedAtOf(a.Sequence)))
            .Where(pair => pair.Accepted != 0)
            .Select(pair => (pair.Arrival - pair.Accepted) / perMillisecond)
            .Order()
            .ToArray();
        return new Measurement
        {
            Scenario = labels.Scenario,
            System = labels.System,
            Store = labels.Store,
            Nodes = labels.Nodes,
            Ingest = labels.Ingest,
            Saturating = labels.Saturating,
            Endpoints = labels.Endpoints,
            WireLimit = wireSamples.Average(),
            WireSamples = wireSamples,
            WireConcurrency = wireConcurrency,
            Accepted = accepts.Count,
            AcceptedPerSecond = PerSecond(accepts.Count, accepts.Finished - accepts.Started),
            Expected = expected,
            Delivered = arrivals.Count,
            DeliveredPerSecond = PerSecond(arrivals.Count, lastArrival - accepts.Started),
            Seconds = (lastArrival - accepts.Started) / (double)Stopwatch.Frequency,
            P50Ms = Percentile(latencies, 0.50),
            P99Ms = Percentile(latencies, 0.99),
            P999Ms = Percentile(latencies, 0.999),
            CpuSeconds = servers.Sum(s => s.After.CpuSeconds - s.Before.CpuSeconds),
            DatabaseCpuSeconds = databaseCpuSeconds,
            PeakRssMiB = servers.Max(s => s.After.PeakRssBytes) / 1048576.0,
            RssMiB = servers.Max(s => s.After.RssBytes) / 1048576.0,
            Duplicates = stats.Duplicates,
            Rejected = stats.Rejected,
            FailedAttempts = stats.Failed,
        };
    }

    private static double PerSecond(long count, long elapsedTicks) =>
        elapsedTicks <= 0 ? 0 : count / (elapsedTicks / (double)Stopwatch.Frequency);

    private static double? Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? null : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
}

/// <summary>What a row is about.</summary>
internal sealed record MeasurementLabels(string Scenario, string System, string Store, int Nodes, string Ingest, string Endpoints, bool Saturating = true);
