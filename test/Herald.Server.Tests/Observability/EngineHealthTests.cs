using System.Data.Common;
using System.Net;
using System.Text.Json;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Observability;

/// <summary>The engine's own trouble shows in the metrics and in readiness: outcomes that cannot be written, a queue counted on its interval.</summary>
[Collection(nameof(RunsAlone))]
public sealed class EngineHealthTests : ServerWithReceiverTest
{
    /// <summary>A writable connection to the server's database (the test server's own helper opens SQLite read-only).</summary>
    private async Task<DbConnection> OpenWritableAsync()
    {
        DbConnection connection = Server.PostgresConnectionString is { } postgres
            ? new Npgsql.NpgsqlConnection(postgres)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Server.DataPath, "herald.db")};Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenWritableAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Polls <c>/readyz</c> until it answers 200 with the outcome writer's check as expected. Right after the fake clock
    /// jumps, the dispatcher's check may still see its loop as silent until the loop has gone round once.
    /// </summary>
    private async Task<string> WaitForOutcomeWriterReadinessAsync(Func<string, bool> expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var ready = await Server.Anonymous.GetAsync("/readyz");
            var body = await ready.Content.ReadAsStringAsync();
            var check = JsonDocument.Parse(body).RootElement.GetProperty("checks").GetProperty("outcome_writer").GetString()!;
            if (ready.StatusCode == HttpStatusCode.OK && expected(check))
            {
                return check;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Readiness never showed the expected outcome writer check; last: {(int)ready.StatusCode} {body}");
            await Task.Delay(20);
        }
    }

    private async Task<Scrape> ScrapeUntilAsync(Func<Scrape, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var scrape = await Scrape.FromAsync(Server);
            if (condition(scrape))
            {
                return scrape;
            }

            Assert.True(DateTime.UtcNow < deadline, "The metrics never showed the expected values.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Outcomes_that_cannot_be_written_are_counted_and_degrade_readiness_until_writes_succeed_again()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/unrecorded"), "payment_intent.succeeded");
        var deliveryId = string.Empty;

        // The attempts table goes away: the endpoint answers, but its answer cannot be recorded.
        await ExecuteAsync("ALTER TABLE attempts RENAME TO attempts_away");
        await Server.PublishAsync(account, id: "evt_unrecorded");
        await Receiver.WaitForAsync("/unrecorded");
        var failing = await ScrapeUntilAsync(s => s.Sum("herald_outcomes_write_failures_total") >= 1);
        var healthyAtFirst = await WaitForOutcomeWriterReadinessAsync(_ => true);
        Server.Advance(TimeSpan.FromSeconds(31));
        var degraded = await ScrapeUntilAsync(s => s.Value("herald_outcomes_failing_duration_seconds") >= 31);
        var degradedReadiness = await WaitForOutcomeWriterReadinessAsync(check => check != "Healthy");

        Assert.Equal(1, failing.Value("herald_outcomes_backlog"));
        Assert.Equal("Healthy", healthyAtFirst);
        Assert.Equal(1, degraded.Value("herald_outcomes_backlog"));
        Assert.Contains("failed to be written for 31 s (1 waiting)", degradedReadiness, StringComparison.Ordinal);

        // The table is back: the kept outcome is written at the writer's next try.
        await ExecuteAsync("ALTER TABLE attempts_away RENAME TO attempts");
        Server.Advance(TimeSpan.FromSeconds(6));
        deliveryId = (await Server.DeliveriesAsync("?event_id=evt_unrecorded"))[0]!["id"]!.GetValue<string>();
        await Server.WaitForDeliveryAsync(deliveryId, d => d["status"]!.GetValue<string>() == "success");
        var recovered = await ScrapeUntilAsync(s => s.Value("herald_outcomes_backlog") == 0);

        Assert.Equal(0, recovered.Value("herald_outcomes_failing_duration_seconds"));
        await WaitForOutcomeWriterReadinessAsync(check => check == "Healthy");
        Assert.Single(Receiver.To("/unrecorded"));
    }

    [Fact]
    public async Task The_queue_is_counted_on_its_interval_and_a_scrape_only_reads_the_last_count()
    {
        Receiver.Respond = _ => new ReceiverResponse(500, "down");
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/counted"), "payment_intent.succeeded");
        var atStart = await ScrapeUntilAsync(s => s.Names.Contains("herald_queue_depth"));

        await Server.PublishAsync(account, id: "evt_counted");
        await Receiver.WaitForAsync("/counted");
        await Server.WaitForIdleAsync();
        var beforeTheInterval = await Scrape.FromAsync(Server);
        Server.Advance(TimeSpan.FromSeconds(15));
        var afterTheInterval = await ScrapeUntilAsync(s => s.Sum("herald_queue_depth") == 1);

        Assert.Equal(0, atStart.Sum("herald_queue_depth"));
        Assert.Equal(0, beforeTheInterval.Sum("herald_queue_depth"));
        Assert.Equal(1, afterTheInterval.Sum("herald_queue_depth", ("herald_queue_state", "due")) + afterTheInterval.Sum("herald_queue_depth", ("herald_queue_state", "scheduled")));
    }
}
