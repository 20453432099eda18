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

    private readonly WireLimit _wire;
    private double? _lastWire;

    private HeraldStage(BenchContext context, ScenarioCase scenarioCase, HeraldDeployment herald, Topology topology, IReadOnlyList<string> accounts, WireLimit wire)
    {
        _context = context;
        _case = scenarioCase;
        _wire = wire;
        Herald = herald;
        Topology = topology;
        Accounts = accounts;
    }

    public HeraldDeployment Herald { get; }

    public Topology Topology { get; }

    public IReadOnlyList<string> Accounts { get; }

    public static async Task<HeraldStage> StartAsync(BenchContext context, ScenarioCase scenarioCase, Topology topology, IReadOnlyDictionary<string, string>? settings = null)
    {
        context.Log($"{scenarioCase}: starting {scenarioCase.Nodes} node(s), creating {topology.Describe()} endpoints");
        var herald = await HeraldDeployment.StartAsync(context, scenarioCase.Store, scenarioCase.Nodes, settings ?? new Dictionary<string, string>(), scenarioCase.Scenario.Name);
        try
        {
            var accounts = await topology.CreateAsync(herald.Apis[0], context.Receiver);
            var wire = new WireLimit(context.Receiver, topology.HealthyEndpoints, herald.DeliveryConcurrency(topology.HealthyEndpoints.Count), context.Options.WireDuration);
            var stage = new HeraldStage(context, scenarioCase, herald, topology, accounts, wire);
            await stage.WarmUpAsync();
            return stage;
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
        // A paced phase shows the wire limit but is not compared with it: the stage's last figure will do.
        var saturating = plan.EventsPerSecond is null;
        if (saturating || _lastWire is null)
        {
            _lastWire = await _wire.MeasureAsync();
            _context.Log($"{_case}: wire limit {_lastWire:N0}/s at concurrency {_wire.Concurrency}");
        }

        var labels = new MeasurementLabels(
            scenario ?? _case.Scenario.Name, "Herald", _case.StoreName, _case.Nodes, plan.Describe(), Topology.Describe(), saturating);
        var measurement = await Phase.MeasureAsync(
            _context.Receiver, new Meters(Herald.Sample, Herald.Store == StoreKind.Postgres ? _context.DatabaseCpuSeconds : () => null), Publish(plan), Topology.Fanout, drainTimeout ?? _context.Options.DrainTimeout, labels, _wire, _lastWire.Value);
        _context.Log($"{_case}: {Phase.Summary(measurement)}");
        return measurement;
    }

    /// <summary>One batch per account through every node, delivered, before anything is measured (JIT, pools, caches).</summary>
    private async Task WarmUpAsync()
    {
        var plan = new PublishPlan(IngestMode.Batch, Math.Min(200, Accounts.Count), Herald.Apis.Count, TimeSpan.FromMinutes(1), Math.Min(200, Accounts.Count) * Herald.Apis.Count);
        var accepts = await Publish(plan)();
        await Phase.AwaitArrivalsAsync(_context.Receiver, accepts.Count * Topology.Fanout, _context.Options.DrainTimeout);
    }

    private Func<Task<AcceptLog>> Publish(PublishPlan plan)
    {
        var run = _context.NextRun();
        return () => Publisher.RunAsync(Herald.Apis, Accounts, run, plan);
    }

    public ValueTask DisposeAsync() => Herald.DisposeAsync();
}
