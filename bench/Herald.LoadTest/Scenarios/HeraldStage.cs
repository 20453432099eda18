using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// The steps every Herald scenario shares: start the deployment, create the accounts and webhooks, measure the
/// wire limit for the same endpoints and concurrency, then measure phases of publishing.
/// </summary>
internal sealed class HeraldStage : IAsyncDisposable
{
    private readonly BenchContext _context;
    private readonly ScenarioCase _case;

    private HeraldStage(BenchContext context, ScenarioCase scenarioCase, HeraldDeployment herald, Topology topology, IReadOnlyList<string> accounts, int concurrency, double wireLimit)
    {
        _context = context;
        _case = scenarioCase;
        Herald = herald;
        Topology = topology;
        Accounts = accounts;
        Concurrency = concurrency;
        WireLimit = wireLimit;
    }

    public HeraldDeployment Herald { get; }

    public Topology Topology { get; }

    public IReadOnlyList<string> Accounts { get; }

    /// <summary>Attempts in flight Herald may have to the healthy endpoints, and so the wire loop's concurrency.</summary>
    public int Concurrency { get; }

    /// <summary>Deliveries per second of the bare HttpClient loop to the healthy endpoints.</summary>
    public double WireLimit { get; }

    public static async Task<HeraldStage> StartAsync(BenchContext context, ScenarioCase scenarioCase, Topology topology, IReadOnlyDictionary<string, string>? settings = null)
    {
        context.Log($"{scenarioCase}: starting {scenarioCase.Nodes} node(s), creating {topology.Describe()} endpoints");
        var herald = await HeraldDeployment.StartAsync(context, scenarioCase.Store, scenarioCase.Nodes, settings ?? new Dictionary<string, string>(), scenarioCase.Scenario.Name);
        try
        {
            var accounts = await topology.CreateAsync(herald.Apis[0], context.Receiver);
            var concurrency = herald.DeliveryConcurrency(topology.HealthyEndpoints.Count);
            var wireLimit = await Workload.WireLimit.MeasureAsync(context.Receiver, topology.HealthyEndpoints, concurrency, context.Options.WireDuration);
            context.Log($"{scenarioCase}: wire limit {wireLimit:N0}/s at concurrency {concurrency}");
            return new HeraldStage(context, scenarioCase, herald, topology, accounts, concurrency, wireLimit);
        }
        catch
        {
            await herald.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes by <paramref name="plan"/>, waits for every healthy delivery (or the drain timeout) and measures.</summary>
    public async Task<Measurement> MeasureAsync(PublishPlan plan, string? scenario = null, TimeSpan? drainTimeout = null)
    {
        var receiver = _context.Receiver;
        await receiver.ResetAsync();
        var before = Herald.Sample();
        var accepts = await Publisher.RunAsync(Herald.Apis, Accounts, _context.NextRun(), plan);
        var expected = accepts.Count * Topology.Fanout;
        var arrivals = await Deliveries.AwaitAsync(receiver, expected, drainTimeout ?? _context.Options.DrainTimeout);
        var after = Herald.Sample();
        var labels = new MeasurementLabels(
            scenario ?? _case.Scenario.Name, "Herald", _case.StoreName, _case.Nodes, plan.Describe(), Topology.Describe(), plan.EventsPerSecond is null);
        var measurement = Measurement.From(
            labels, accepts, arrivals, expected, [.. before.Zip(after)], await receiver.StatsAsync(), WireLimit, Concurrency);
        _context.Log($"{_case}: {Summary(measurement)}");
        return measurement;
    }

    public static string Summary(Measurement m) =>
        $"accepted {m.Accepted:N0} ({m.AcceptedPerSecond:N0}/s), delivered {m.Delivered:N0}/{m.Expected:N0} ({m.DeliveredPerSecond:N0}/s, {m.WireRatio:0.00} × wire), " +
        $"p50 {m.P50Ms:N0} ms, p99 {m.P99Ms:N0} ms, CPU {m.CpuSecondsPer1000:0.00} s/1k, peak RSS {m.PeakRssMiB:N0} MiB";

    public ValueTask DisposeAsync() => Herald.DisposeAsync();
}

/// <summary>Waiting for deliveries at the receiver.</summary>
internal static class Deliveries
{
    /// <summary>Polls the receiver until <paramref name="expected"/> first arrivals (or the timeout), then returns them all.</summary>
    public static async Task<IReadOnlyList<Arrival>> AwaitAsync(ReceiverProcess receiver, long expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await receiver.StatsAsync()).Arrivals < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return await receiver.ArrivalsAsync();
    }
}
