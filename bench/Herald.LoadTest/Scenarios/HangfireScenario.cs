using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// The baseline a .NET team would otherwise build: Hangfire with Hangfire.PostgreSql, one job per delivery doing
/// the same signed POST, on the same PostgreSQL and the same receiver, with as many workers as Herald has
/// attempts in flight to one endpoint. Publishing (16 loops calling <c>BackgroundJob.Enqueue</c>) runs in the
/// baseline's process, for <c>--duration</c> or <c>--baseline-events</c> events.
/// </summary>
internal sealed class HangfireScenario() : Scenario("hangfire", "baseline: Hangfire + Hangfire.PostgreSql, one job per delivery, 1 endpoint", StoreKind.Postgres)
{
    public const string SystemName = "Hangfire 1.8 + PostgreSql";

    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var receiver = context.Receiver;
        var options = context.Options;
        var connection = await (await context.PostgresAsync()).CreateDatabaseAsync("hangfire");
        var workers = HeraldDeployment.DeliveryConcurrency(options.Settings, nodes: 1, healthyEndpoints: 1);
        var run = context.NextRun();
        context.Log($"{scenarioCase}: starting Hangfire with {workers} workers");
        await using var hangfire = await HangfireProcess.StartAsync(
            BuildOutputs.Hangfire, context.WorkDir, connection, receiver.BaseUrl, run, endpoints: 1, workers, publishers: 16, options.Duration, options.BaselineEvents);
        var wire = new WireLimit(receiver, Topology.OneEndpoint.HealthyEndpoints, workers, options.WireDuration);
        var wireBefore = await wire.MeasureAsync();

        var labels = new MeasurementLabels(Name, SystemName, scenarioCase.StoreName, 1, "Enqueue ×16", Topology.OneEndpoint.Describe());
        var measurement = await Phase.MeasureAsync(
            receiver, new Meters(() => [hangfire.Sample()], context.DatabaseCpuSeconds), () => hangfire.PublishAsync(options.Duration + TimeSpan.FromMinutes(2)), fanout: 1,
            options.DrainTimeout, labels, wire, wireBefore);
        measurement.Notes.Add($"{workers} workers, long polling (LISTEN/NOTIFY), QueuePollInterval 200 ms");
        context.Log($"{scenarioCase}: {Phase.Summary(measurement)}");
        context.Results.Add(measurement);
    }
}
