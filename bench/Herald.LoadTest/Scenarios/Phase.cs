using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>What a phase reads from /proc: the sending processes, and the database server when it is a separate one.</summary>
internal sealed record Meters(Func<IReadOnlyList<ProcessSample>> Senders, Func<double?> DatabaseCpuSeconds);

/// <summary>One measured phase, whichever system sends: publish, wait for the deliveries, read /proc and the receiver.</summary>
internal static class Phase
{
    /// <param name="receiver">Reset first, so only this phase's arrivals count.</param>
    /// <param name="meters">Read before publishing and after the last arrival.</param>
    /// <param name="publish">Publishes and returns the accept times.</param>
    /// <param name="fanout">Healthy deliveries owed per accepted event.</param>
    /// <param name="drainTimeout">Longest wait for the last delivery once publishing ended.</param>
    /// <param name="labels">What the row is about.</param>
    /// <param name="wire">The wire-limit loop for the same endpoints.</param>
    /// <param name="wireBefore">Its figure measured just before. A saturating phase measures it again after, and the row
    /// gets the mean: on a shared machine the two differ, and the row shows by how much.</param>
    public static async Task<Measurement> MeasureAsync(
        ReceiverProcess receiver, Meters meters, Func<Task<AcceptLog>> publish, int fanout,
        TimeSpan drainTimeout, MeasurementLabels labels, WireLimit wire, double wireBefore)
    {
        await receiver.ResetAsync();
        var before = meters.Senders();
        var databaseBefore = meters.DatabaseCpuSeconds();
        var accepts = await publish();
        var expected = accepts.Count * fanout;
        var arrivals = await AwaitArrivalsAsync(receiver, expected, drainTimeout);
        var after = meters.Senders();
        var databaseCpu = meters.DatabaseCpuSeconds() - databaseBefore;
        var stats = await receiver.StatsAsync();
        double[] wireSamples = labels.Saturating ? [wireBefore, await wire.MeasureAsync()] : [wireBefore];
        return Measurement.From(labels, accepts, arrivals, expected, [.. before.Zip(after)], databaseCpu, stats, wireSamples, wire.Concurrency);
    }

    public static string Summary(Measurement m) =>
        $"accepted {m.Accepted:N0} ({m.AcceptedPerSecond:N0}/s), delivered {m.Delivered:N0}/{m.Expected:N0} ({m.DeliveredPerSecond:N0}/s, {m.WireRatio:0.00} × wire), " +
        $"p50 {m.P50Ms:N0} ms, p99 {m.P99Ms:N0} ms, CPU {m.CpuSecondsPer1000:0.00} s/1k" +
        (m.DatabaseCpuSecondsPer1000 is { } database ? $" (database {database:0.00})" : string.Empty) + $", peak RSS {m.PeakRssMiB:N0} MiB";

    /// <summary>Polls the receiver until <paramref name="expected"/> first arrivals (or the timeout), then returns them all.</summary>
    public static async Task<IReadOnlyList<Arrival>> AwaitArrivalsAsync(ReceiverProcess receiver, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await receiver.StatsAsync()).Arrivals < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return await receiver.ArrivalsAsync();
    }
}
