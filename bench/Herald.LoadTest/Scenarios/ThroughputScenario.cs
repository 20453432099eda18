using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>Publish as fast as the server accepts for the run's duration, then wait for every delivery.</summary>
internal sealed class ThroughputScenario(string name, string summary, Topology topology, Func<BenchOptions, PublishPlan> plan)
    : Scenario(name, summary)
{
    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        await using var stage = await HeraldStage.StartAsync(context, scenarioCase, topology);
        context.Results.Add(await stage.MeasureAsync(plan(context.Options)));
    }
}
