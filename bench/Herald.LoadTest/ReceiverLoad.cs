using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Herald.Contracts.Envelope;
using Herald.Receiver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.LoadTest;

/// <summary>
/// How many signed webhooks per second the receiver endpoint acknowledges (200 only after the durable inbox
/// write committed). Starts a real Kestrel app using Herald.Receiver on 127.0.0.1 with a fresh SQLite inbox (or
/// PostgreSQL with <c>--postgres</c>), sends unique signed events from <c>--concurrency</c> loops until
/// <c>--duration</c> seconds or <c>--max-requests</c> requests, whichever comes first, then checks every
/// acknowledged event is in the inbox.
/// </summary>
internal static class ReceiverLoad
{
    private const string Secret = "whsec_load_test_secret";

    public static async Task<int> RunAsync(string[] args)
    {
        var duration = TimeSpan.FromSeconds(Math.Clamp(Option(args, "--duration", 15), 1, 120));
        var concurrency = Math.Clamp(Option(args, "--concurrency", 16), 1, 256);
        var maxRequests = Math.Clamp(Option(args, "--max-requests", 1_000_000), 1, 10_000_000);
        var bodyBytes = Math.Clamp(Option(args, "--body-bytes", 1024), 200, 256 * 1024);
        var synchronous = (StringOption(args, "--sqlite-synchronous") ?? "FULL").ToUpperInvariant();
        var processing = !args.Contains("--no-processing");
        var postgres = StringOption(args, "--postgres");

        var folder = Directory.CreateTempSubdirectory("herald-receiver-load-");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var receiver = builder.Services.AddHeraldReceiver(options =>
        {
            options.Secrets.Add(Secret);
            options.ProcessInBackground = processing;
        });
        _ = postgres is null
            ? receiver.UseSqliteInbox(
                $"Data Source={Path.Combine(folder.FullName, "inbox.db")}",
                sqlite => sqlite.Synchronous = synchronous == "NORMAL" ? SqliteInboxSynchronous.Normal : SqliteInboxSynchronous.Full)
            : receiver.UsePostgresInbox(postgres);
        await using var app = builder.Build();
        app.MapHeraldWebhooks("/webhooks");
        await app.StartAsync();
        var url = new Uri(new Uri(app.Urls.Single()), "/webhooks");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var padding = new string('x', Math.Max(0, bodyBytes - 200));
        var runId = Guid.NewGuid().ToString("N")[..8];

        // Warm up (JIT, connections, schema) outside the measured window.
        for (var i = 0; i < concurrency; i++)
        {
            await SendAsync(client, url, $"evt_warm_{runId}_{i}", padding);
        }

        var latencies = new List<double>[concurrency];
        var failures = 0L;
        var sent = 0L;
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(4096);
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sent);
                if (n > maxRequests)
                {
                    break;
                }

                var started = Stopwatch.GetTimestamp();
                var status = await SendAsync(client, url, $"evt_{runId}_{n}", padding);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (status != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        clock.Stop();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var acknowledged = all.Length - failures;
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        var counts = await inbox.GetCountsAsync();
        var processedAtStop = counts.Processed;
        var writer = app.Services.GetRequiredService<Herald.Receiver.Inbox.SqlInboxStore>().Writer;
        var (groups, rows) = (writer.GroupsCommitted, writer.RowsCommitted);

        // With processing on, how fast the backlog left by the burst is worked off once requests stop.
        var drain = string.Empty;
        if (processing && counts.Pending > 0)
        {
            var backlog = counts.Pending;
            var draining = Stopwatch.StartNew();
            var after = counts;
            while (after.Pending > 0 && draining.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(100);
                after = await inbox.GetCountsAsync();
            }

            drain = string.Create(CultureInfo.InvariantCulture, $"; backlog of {backlog} worked off at {(backlog - after.Pending) / draining.Elapsed.TotalSeconds:F0} events/s");
            counts = after;
        }
        var stored = counts.Pending + counts.Processed + counts.Parked - concurrency;
        await app.StopAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"receiver load: inbox={(postgres is null ? "sqlite synchronous=" + synchronous : "postgres")} processing={(processing ? "on" : "off")} concurrency={concurrency} body={bodyBytes} B duration={clock.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(inv, $"  acknowledged: {acknowledged} ({acknowledged / clock.Elapsed.TotalSeconds:F0} req/s), failed: {failures}, stored in inbox: {stored}"));
        Console.WriteLine(string.Create(inv, $"  inbox commits: {groups} for {rows} acknowledgements ({(groups == 0 ? 0 : (double)rows / groups):F1} per commit); processed when requests stopped: {processedAtStop}{drain}"));
        Console.WriteLine(string.Create(inv, $"  latency ms: p50 {Percentile(all, 0.50):F2}  p90 {Percentile(all, 0.90):F2}  p99 {Percentile(all, 0.99):F2}  max {(all.Length == 0 ? 0 : all[^1]):F2}"));
        if (stored < acknowledged)
        {
            Console.Error.WriteLine("FAIL: some acknowledged events are missing from the inbox");
            return 1;
        }

        return failures == 0 ? 0 : 1;
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Uri url, string id, string padding)
    {
        var body = WebhookEnvelope.Serialize(id, "payment_intent.succeeded", "acct_load", null, Encoding.UTF8.GetBytes($"{{\"object\":{{\"id\":\"int_{id}\",\"status\":\"SUCCEEDED\",\"descriptor\":\"{padding}\"}}}}"), DateTimeOffset.UtcNow, "2026-02-27");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        HeraldWebhook.GenerateTestHeaders(Secret, body).ApplyTo(request.Headers);
        try
        {
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static int Option(string[] args, string name, int fallback) =>
        StringOption(args, name) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string? StringOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
