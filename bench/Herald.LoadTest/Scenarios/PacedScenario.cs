using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// A steady publishing rate, by default half of what the same store delivered in the one-endpoint scenario of
/// this run: the latency a user sees when Herald is not saturated.
/// </summary>
internal sealed class PacedScenario() : Scenario("paced", "1 endpoint, a steady rate at half the one-endpoint maximum: latency when not saturated")
{
    public const double FallbackRate = 500;

    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var (rate, source) = Rate(context, scenarioCase);
        await using var stage = await HeraldStage.StartAsync(context, scenarioCase, Topology.OneEndpoint);
        var measurement = await stage.MeasureAsync(PublishPlan.Paced(rate, context.Options.Duration));
        measurement.Notes.Add($"target {rate:N0} events/s ({source})");
        context.Results.Add(measurement);
    }

    /// <summary>--rate, else half the one-endpoint delivered/s measured on the same store and nodes in this run.</summary>
    public static (double Rate, string Source) Rate(BenchContext context, ScenarioCase scenarioCase)
    {
        if (context.Options.Rate is { } rate)
        {
            return (rate, "--rate");
        }

        var maximum = context.Results.LastOrDefault(m =>
            m.Scenario == ScenarioCatalog.OneEndpoint.Name && m.System == "Herald" && m.Store == scenarioCase.StoreName && m.Nodes == scenarioCase.Nodes);
        return maximum is null
            ? (FallbackRate, "fixed: no one-endpoint figure in this run")
            : (Math.Max(10, Math.Round(maximum.DeliveredPerSecond / 2)), "half the one-endpoint delivered/s");
    }
}
