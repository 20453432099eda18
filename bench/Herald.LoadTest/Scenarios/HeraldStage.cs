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
        var labels = new MeasurementLabels(
            scenario ?? _case.Scenario.Name, "Herald", _case.StoreName, _case.Nodes, plan.Describe(), Topology.Describe(), plan.EventsPerSecond is null);
        var run = _context.NextRun();
        var measurement = await Phase.MeasureAsync(
            _context.Receiver, Herald.Sample, () => Publisher.RunAsync(Herald.Apis, Accounts, run, plan), Topology.Fanout,
            drainTimeout ?? _context.Options.DrainTimeout, labels, WireLimit, Concurrency);
        _context.Log($"{_case}: {Phase.Summary(measurement)}");
        return measurement;
    }

    public ValueTask DisposeAsync() => Herald.DisposeAsync();
}
