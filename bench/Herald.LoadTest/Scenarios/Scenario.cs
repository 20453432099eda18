namespace Herald.LoadTest.Scenarios;

/// <summary>A named workload; <see cref="RunAsync"/> adds its rows to the context's results.</summary>
internal abstract class Scenario(string name, string summary, params StoreKind[] stores)
{
    public string Name { get; } = name;

    /// <summary>One line for the usage text and the report.</summary>
    public string Summary { get; } = summary;

    /// <summary>The stores it can run on.</summary>
    public IReadOnlyList<StoreKind> Stores { get; } = stores.Length == 0 ? [StoreKind.Sqlite, StoreKind.Postgres] : stores;

    public abstract Task RunAsync(BenchContext context, ScenarioCase scenarioCase);
}

/// <summary>A scenario on one store with a number of nodes: one unit of a run.</summary>
internal sealed record ScenarioCase(Scenario Scenario, StoreKind Store, int Nodes)
{
    public string StoreName => Store == StoreKind.Sqlite ? "SQLite" : "PostgreSQL";

    public override string ToString() => $"{Scenario.Name} ({StoreName}{(Nodes > 1 ? $", {Nodes} nodes" : string.Empty)})";
}

internal enum StoreKind
{
    Sqlite,
    Postgres,
}
