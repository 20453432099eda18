using System.Diagnostics;
using Herald.Bench;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Reporting;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// A dead endpoint's backlog of queued retries grown in steps to <c>--backlog</c> (1,000,000), scheduled 1 to 24
/// hours ahead as a retry schedule spreads them, while fresh events for a healthy endpoint are published at a
/// steady rate (half the one-endpoint maximum). Each step reports the fresh deliveries' accept→arrival latency
/// (claims must stay fast as the backlog grows) and the server's memory (it must stay bounded). A last step makes
/// <c>--backlog-due</c> more retries due now: the dead endpoint then competes with the fresh events.
/// </summary>
internal sealed class BacklogScenario() : Scenario("backlog", "1 healthy endpoint at a steady rate beside a dead one with up to 1,000,000 queued retries")
{
    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var options = context.Options;
        var (rate, source) = PacedScenario.Rate(context, scenarioCase);
        await using var stage = await HeraldStage.StartAsync(context, scenarioCase, Topology.OneEndpoint);
        var seeder = new BacklogSeeder(stage.Herald, await CreateTemplateAsync(context, stage));
        var plan = PublishPlan.Paced(rate, TimeSpan.FromSeconds(5));
        var drain = TimeSpan.FromSeconds(Math.Min(30, options.DrainTimeout.TotalSeconds));
        long seeded = 0;
        for (var step = 0; step <= options.BacklogSteps; step++)
        {
            var target = options.Backlog * step / options.BacklogSteps;
            var now = TimeProvider.System.GetUtcNow();
            var seeding = await seeder.SeedAsync(seeded, target, now + TimeSpan.FromHours(1), TimeSpan.FromHours(23));
            seeded = target;
            context.Log($"{scenarioCase}: backlog {seeded:N0} queued retries (seeded in {seeding.TotalSeconds:N1} s)");
            var measurement = await stage.MeasureAsync(plan, $"backlog {Thousands(seeded)}", drain);
            measurement.Notes.Add($"{seeded:N0} queued retries to a dead endpoint, due in 1–24 h (seeded in {seeding.TotalSeconds:N1} s); " +
                $"RSS now {measurement.RssMiB:N0} MiB; fresh events at {rate:N0}/s ({source})");
            context.Results.Add(measurement);
        }

        if (options.BacklogDue > 0)
        {
            var seeding = await seeder.SeedAsync(seeded, seeded + options.BacklogDue, TimeProvider.System.GetUtcNow() - TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
            var measurement = await stage.MeasureAsync(plan, $"backlog {Thousands(seeded)} + {Thousands(options.BacklogDue)} due", drain);
            measurement.Notes.Add($"{options.BacklogDue:N0} of the dead endpoint's retries due now (seeded in {seeding.TotalSeconds:N1} s), " +
                $"attempted {measurement.FailedAttempts / Math.Max(0.001, measurement.Seconds):N0}/s while the fresh events wait; RSS now {measurement.RssMiB:N0} MiB");
            context.Results.Add(measurement);
        }
    }

    private static string Thousands(long count) => $"{count / 1000:N0}k";

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
