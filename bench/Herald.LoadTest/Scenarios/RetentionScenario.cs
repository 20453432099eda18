using System.Data.Common;
using System.Diagnostics;
using Herald.LoadTest.Workload;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// The retention sweep's effect on a large log: <c>--log-events</c> (1,000,000) delivered events older than the
/// retention period (each with its delivery and attempt: three rows), then fresh events published at a steady rate
/// (half the one-endpoint maximum) first with the old log in place and then while the sweep removes it. Reports how
/// fast the sweep removes the log and what it costs the fresh deliveries' latency. The sweep runs when a node starts
/// and then every <c>Herald:Retention:Interval</c> (10 min), so the scenario restarts the node to start it now.
/// </summary>
internal sealed class RetentionScenario() : Scenario("retention", "a 1,000,000-event log past the retention period, swept while fresh events flow at a steady rate")
{
    private static readonly TimeSpan Age = TimeSpan.FromDays(40);

    public override async Task RunAsync(BenchContext context, ScenarioCase scenarioCase)
    {
        var options = context.Options;
        var (rate, source) = PacedScenario.Rate(context, scenarioCase);
        await using var stage = await HeraldStage.StartAsync(context, scenarioCase, Topology.OneEndpoint);
        var drain = TimeSpan.FromSeconds(Math.Min(30, options.DrainTimeout.TotalSeconds));
        var (seeding, cutoff) = await SeedOldLogAsync(stage.Herald, options.LogEvents);
        context.Log($"{scenarioCase}: {options.LogEvents:N0} old events with their deliveries and attempts seeded in {seeding.TotalSeconds:N1} s");

        var control = await stage.MeasureAsync(PublishPlan.Paced(rate, TimeSpan.FromSeconds(5)), $"retention: {Thousands(options.LogEvents)} old, before the sweep", drain);
        control.Notes.Add($"{options.LogEvents:N0} events (and as many deliveries and attempts) older than the retention period, before the sweep; fresh events at {rate:N0}/s ({source})");
        context.Results.Add(control);

        var restarted = Stopwatch.GetTimestamp();
        await stage.Herald.RestartAsync();
        var during = await stage.MeasureAsync(PublishPlan.Paced(rate, options.Duration), $"retention: during the sweep", drain);
        var left = await CountOldAsync(stage.Herald, cutoff);
        var finished = left == 0 ? Stopwatch.GetElapsedTime(restarted) : (TimeSpan?)null;
        while (finished is null && Stopwatch.GetElapsedTime(restarted) < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (await CountOldAsync(stage.Herald, cutoff) == 0)
            {
                finished = Stopwatch.GetElapsedTime(restarted);
            }
        }

        var removed = options.LogEvents - (finished is null ? await CountOldAsync(stage.Herald, cutoff) : 0);
        var sweep = finished is { } took
            ? $"the sweep removed {removed:N0} events with their deliveries and attempts ({removed * 3:N0} rows) {took.TotalSeconds:N0} s after the restart began ({removed / took.TotalSeconds:N0} events/s including the restart)"
            : $"INCOMPLETE: the sweep removed {removed:N0} of {options.LogEvents:N0} events in 30 min";
        during.Notes.Add($"{sweep}; {left:N0} old events were left when this phase ended; fresh events at {rate:N0}/s, right after a restart (cold JIT)");
        context.Log($"{scenarioCase}: {sweep}");
        context.Results.Add(during);
    }

    private static string Thousands(long count) => $"{count / 1000:N0}k";

    /// <summary>
    /// Copies of one delivered event of the warm-up (the event, its delivery and its attempt), ingested <see cref="Age"/>
    /// ago, one millisecond apart. Returns the seeding time and an ingest time every copy is older than.
    /// </summary>
    private static async Task<(TimeSpan Took, long Cutoff)> SeedOldLogAsync(HeraldDeployment herald, long events)
    {
        var started = Stopwatch.GetTimestamp();
        var rows = new TemplateRows(herald);
        await using var connection = await herald.OpenDatabaseAsync();
        var (eventId, deliveryId) = await TemplateAsync(connection);
        var oldest = (TimeProvider.System.GetUtcNow() - Age).ToUnixTimeMilliseconds();
        var parameters = new Dictionary<string, object> { ["oldest"] = oldest };
        for (var chunk = 0L; chunk < events; chunk += TemplateRows.Chunk)
        {
            var end = Math.Min(events, chunk + TemplateRows.Chunk);
            await using var transaction = await connection.BeginTransactionAsync();
            await rows.CopyAsync(connection, transaction, "events", "id", eventId, chunk, end,
                new Dictionary<string, string> { ["id"] = "t.id || '-old-' || CAST(n.i AS TEXT)", ["ingested_at"] = "@oldest + n.i" }, parameters);
            await rows.CopyAsync(connection, transaction, "deliveries", "id", deliveryId, chunk, end,
                new Dictionary<string, string> { ["id"] = "t.id || '-old-' || CAST(n.i AS TEXT)", ["event_id"] = "t.event_id || '-old-' || CAST(n.i AS TEXT)" });
            await rows.CopyAsync(connection, transaction, "attempts", "delivery_id", deliveryId, chunk, end,
                new Dictionary<string, string> { ["delivery_id"] = "t.delivery_id || '-old-' || CAST(n.i AS TEXT)" });
            await transaction.CommitAsync();
        }

        return (Stopwatch.GetElapsedTime(started), oldest + events);
    }

    /// <summary>A warm-up event delivered at the first attempt: one event, one delivery, one attempt.</summary>
    private static async Task<(string EventId, string DeliveryId)> TemplateAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT d.event_id, d.id FROM deliveries d
            WHERE d.status = 'success' AND d.attempt_count = 1 AND (SELECT COUNT(*) FROM deliveries o WHERE o.event_id = d.event_id) = 1
            ORDER BY d.id LIMIT 1
            """;
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (reader.GetString(0), reader.GetString(1))
            : throw new InvalidOperationException("No warm-up event was delivered at its first attempt: nothing to copy.");
    }

    private static async Task<long> CountOldAsync(HeraldDeployment herald, long cutoff)
    {
        await using var connection = await herald.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM events WHERE ingested_at < @cutoff";
        TemplateRows.Add(command, "cutoff", cutoff);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
