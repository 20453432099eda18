using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// 1,000 endpoints in 100 accounts, fan-out 10, of which one per account (10 %) holds every request until
/// Herald's timeout (set to 2 s). Measured against a control in the same run: the same 900 healthy endpoints
/// without the hanging ones. The figure that matters is the healthy endpoints' throughput, relative.
/// </summary>
internal sealed class HangingScenario() : Scenario("hanging", "1,000 endpoints, fan-out 10, 10 % hanging until a 2 s timeout, against the same without them")
{
    public const long DefaultEvents = 2_000;

    private static readonly Dictionary<string, string> ShortTimeout = new() { ["Delivery:Timeout"] = "00:00:02" };

    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var plan = PublishPlan.Batch(context.Options.Duration * 6, context.Options.Events ?? DefaultEvents);

        Reporting.Measurement control;
        await using (var stage = await HeraldStage.StartAsync(context, scenarioCase, new Topology(100, 9), ShortTimeout))
        {
            control = await stage.MeasureAsync(plan, "hanging (control)");
        }

        control.Notes.Add("the hanging scenario's 900 healthy endpoints alone; Delivery:Timeout 2 s");
        context.Results.Add(control);

        await using (var stage = await HeraldStage.StartAsync(context, scenarioCase, new Topology(100, 10, HangingPerAccount: 1), ShortTimeout))
        {
            var hanging = await stage.MeasureAsync(plan);
            hanging.Notes.Add($"healthy endpoints' delivered/s ÷ control: {hanging.DeliveredPerSecond / control.DeliveredPerSecond:0.00}; Delivery:Timeout 2 s");
            context.Results.Add(hanging);
        }
    }
}
