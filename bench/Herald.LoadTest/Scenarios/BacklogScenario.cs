using System.Diagnostics;
using Herald.Bench;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// A dead endpoint's backlog of queued retries, all due, grown in steps to <c>--backlog</c> (1,000,000) while
/// fresh events for a healthy endpoint are published at a steady rate (half the one-endpoint maximum). Each
/// step reports the fresh deliveries' accept→arrival latency (claims must stay fast as the backlog grows), their
/// rate, the dead endpoint's attempts per second and the server's resident memory (it must stay bounded).
/// </summary>
internal sealed class BacklogScenario() : Scenario("backlog", "1 healthy endpoint at a steady rate beside a dead one with up to 1,000,000 due retries")
{
    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var (rate, source) = PacedScenario.Rate(context, scenarioCase);
        await using var stage = await HeraldStage.StartAsync(context, scenarioCase, Topology.OneEndpoint);
        var seeder = new BacklogSeeder(stage.Herald, await CreateTemplateAsync(context, stage));
        var steps = context.Options.BacklogSteps;
        long seeded = 0;
        for (var step = 0; step <= steps; step++)
        {
            var target = context.Options.Backlog * step / steps;
            var seeding = await seeder.SeedAsync(seeded, target, TimeProvider.System.GetUtcNow());
            seeded = target;
            context.Log($"{scenarioCase}: backlog {seeded:N0} queued retries (seeded in {seeding.TotalSeconds:N1} s)");

            var measurement = await stage.MeasureAsync(
                PublishPlan.Paced(rate, TimeSpan.FromSeconds(5)), $"backlog {seeded / 1000:N0}k", TimeSpan.FromSeconds(Math.Min(30, context.Options.DrainTimeout.TotalSeconds)));
            measurement.Notes.Add($"{seeded:N0} due retries to a dead endpoint (seeded in {seeding.TotalSeconds:N1} s), " +
                $"attempted {measurement.FailedAttempts / Math.Max(0.001, measurement.Seconds):N0}/s; RSS now {measurement.RssMiB:N0} MiB; fresh events at {rate:N0}/s ({source})");
            context.Results.Add(measurement);
        }
    }

    /// <summary>A real queued retry: one event to a webhook that answers 500, attempted once by Herald.</summary>
    private static async Task<string> CreateTemplateAsync(BenchContext context, HeraldStage stage)
    {
        var api = stage.Herald.Apis[0];
        var account = await api.CreateAccountAsync("Dead endpoint");
        var webhook = await api.CreateWebhookAsync(account, context.Receiver.Endpoint(EndpointBehaviour.Failing, 1_000_000));
        await api.SendAsync("/api/v1/events/create", BenchEvents.CreateRequest("dead", 0, account));
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var delivery in (await api.ListDeliveriesAsync(webhook)).EnumerateArray())
            {
                if (delivery.GetProperty("status").GetString() == "queued" && delivery.GetProperty("attempt_count").GetInt32() >= 1)
                {
                    return delivery.GetProperty("id").GetString()!;
                }
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The dead endpoint's first attempt was not recorded within 30 s.");
    }
}
