using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>The named scenarios, and which cases <c>all</c> and a command line select.</summary>
internal static class ScenarioCatalog
{
    public static readonly Scenario OneEndpoint = new ThroughputScenario(
        "one-endpoint", "1 endpoint, batch_create ×200 from 4 publishers", Topology.OneEndpoint, o => PublishPlan.Batch(o.Duration, o.Events ?? 400_000));

    public static readonly Scenario SingleIngest = new ThroughputScenario(
        "single-ingest", "1 endpoint, events/create one event per request from 16 publishers", Topology.OneEndpoint, o => PublishPlan.Single(o.Duration, o.Events ?? 100_000));

    public static readonly Scenario Fanout = new ThroughputScenario(
        "fanout", "1,000 endpoints (100 accounts × 10 webhooks), each event to the 10 of its account, batch_create ×200", new Topology(100, 10),
        o => PublishPlan.Batch(o.Duration, o.Events ?? 5_000));

    public static readonly Scenario Paced = new PacedScenario();

    public static readonly Scenario Hanging = new HangingScenario();

    public static readonly Scenario Backlog = new BacklogScenario();

    public static readonly Scenario Retention = new RetentionScenario();

    public static readonly Scenario Hangfire = new HangfireScenario();

    public static IReadOnlyList<Scenario> All { get; } = [OneEndpoint, SingleIngest, Paced, Fanout, Hanging, Backlog, Retention, Hangfire];

    /// <summary>
    /// The default set: every scenario on SQLite, then on PostgreSQL the one-endpoint figure with one node and
    /// with <c>--nodes</c> (default 3) nodes, the Hangfire baseline beside it, single ingest and the backlog. Not retention:
    /// its sweep of a million events takes up to 17 minutes on SQLite.
    /// Ordered so that the paced and backlog scenarios find the one-endpoint maximum of their store.
    /// </summary>
    public static IReadOnlyList<ScenarioCase> Default(BenchOptions options)
    {
        var nodes = Math.Max(2, options.Nodes ?? 3);
        List<ScenarioCase> sqlite =
        [
            new(OneEndpoint, StoreKind.Sqlite, 1), new(SingleIngest, StoreKind.Sqlite, 1), new(Paced, StoreKind.Sqlite, 1),
            new(Fanout, StoreKind.Sqlite, 1), new(Hanging, StoreKind.Sqlite, 1), new(Backlog, StoreKind.Sqlite, 1),
        ];
        List<ScenarioCase> postgres =
        [
            new(OneEndpoint, StoreKind.Postgres, 1), new(Hangfire, StoreKind.Postgres, 1), new(OneEndpoint, StoreKind.Postgres, nodes),
            new(SingleIngest, StoreKind.Postgres, 1), new(Paced, StoreKind.Postgres, 1), new(Backlog, StoreKind.Postgres, 1),
        ];
        return options.Store switch
        {
            "sqlite" => sqlite,
            "postgres" => postgres,
            _ => [.. sqlite, .. postgres],
        };
    }

    public static IReadOnlyList<ScenarioCase> Select(BenchOptions options)
    {
        if (options.Scenarios.Contains("all"))
        {
            return Default(options);
        }

        return [.. options.Scenarios.Select(name =>
        {
            var scenario = All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown scenario {name}; known: all, {string.Join(", ", All.Select(s => s.Name))}.");
            var store = options.Store switch
            {
                "sqlite" => StoreKind.Sqlite,
                "postgres" => StoreKind.Postgres,
                _ => scenario.Stores[0],
            };
            if (!scenario.Stores.Contains(store))
            {
                throw new ArgumentException($"{name} runs on {string.Join(" or ", scenario.Stores)} only.");
            }

            var nodes = options.Nodes ?? 1;
            return store == StoreKind.Sqlite && nodes > 1
                ? throw new ArgumentException("SQLite runs one node; use --store postgres with --nodes.")
                : new ScenarioCase(scenario, store, nodes);
        })];
    }
}
