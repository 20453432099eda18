using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Herald.LoadTest;

/// <summary>
/// End-to-end server throughput: a real Herald (SQLite in a temp folder) and a real receiver, both on
/// 127.0.0.1. Publishes a bounded number of events and measures how fast they are accepted and delivered.
/// Usage: server [--events 20000] [--batch 100] [--producers 4] [--webhooks 1] [--synchronous FULL|NORMAL] [--single]
/// </summary>
internal static class ServerLoad
{
    private const string AdminKey = "hk_admin_loadtest_0123456789";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Option(args, "--events", 20_000);
        var batchSize = Option(args, "--batch", 100);
        var producers = Option(args, "--producers", 4);
        var webhooks = Option(args, "--webhooks", 1);
        var synchronous = OptionText(args, "--synchronous", "FULL");
        var single = args.Contains("--single");
        var limit = TimeSpan.FromSeconds(Option(args, "--max-seconds", 180));

        var received = 0;
        var latencies = new ConcurrentBag<double>();
        var published = new ConcurrentDictionary<string, long>();
        await using var receiver = await StartReceiverAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var id = JsonDocument.Parse(body.ToArray()).RootElement.GetProperty("id").GetString()!;
            if (published.TryGetValue(id, out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }

            Interlocked.Increment(ref received);
            context.Response.StatusCode = 200;
        });

        var dataPath = Directory.CreateTempSubdirectory("herald-load-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls=http://127.0.0.1:0"] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HERALD_ADMIN_KEY"] = AdminKey,
            ["Herald:Dev"] = "true",
            ["Herald:DataPath"] = dataPath,
            ["Herald:MaxRequestBodyBytes"] = (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["Herald:Storage:SqliteSynchronous"] = synchronous,
        });
        builder.Logging.ClearProviders();
        builder.AddHeraldServer();
        await using var app = builder.Build();
        app.MapHeraldServer();
        await app.StartAsync();

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var account = await PostAsync(client, "/api/v1/accounts/create", "{\"name\":\"Load\"}");
        var accountId = JsonDocument.Parse(account).RootElement.GetProperty("id").GetString()!;
        for (var w = 0; w < webhooks; w++)
        {
            await PostAsync(client, "/api/v1/webhooks/create",
                $"{{\"account_id\":\"{accountId}\",\"url\":\"{receiver.Url}/hook/{w}\",\"events\":[\"payment_intent.succeeded\"],\"secret\":\"whsec_loadtest_secret_value\"}}");
        }

        Console.WriteLine($"Herald load: {events} events x {webhooks} webhook(s), {(single ? "events/create" : $"batches of {batchSize}")}, {producers} producers, SQLite synchronous={synchronous}");
        var expected = events * webhooks;
        var total = Stopwatch.StartNew();
        var next = -1;
        var tasks = Enumerable.Range(0, producers).Select(async _ =>
        {
            while (true)
            {
                var start = Interlocked.Add(ref next, single ? 1 : batchSize) - (single ? 0 : batchSize - 1);
                if (start >= events || total.Elapsed > limit)
                {
                    return;
                }

                var count = single ? 1 : Math.Min(batchSize, events - start);
                var items = Enumerable.Range(start, count).Select(i => EventJson(i, accountId)).ToList();
                var timestamp = Stopwatch.GetTimestamp();
                foreach (var i in Enumerable.Range(start, count))
                {
                    published[$"evt_load_{i}"] = timestamp;
                }

                await PostAsync(client, single ? "/api/v1/events/create" : "/api/v1/events/batch_create",
                    single ? items[0] : $"{{\"events\":[{string.Join(',', items)}]}}");
            }
        }).ToList();
        await Task.WhenAll(tasks);
        var ingest = total.Elapsed;
        var receivedDuringIngest = Volatile.Read(ref received);
        while (Volatile.Read(ref received) < expected && total.Elapsed < limit)
        {
            await Task.Delay(10);
        }

        var delivered = total.Elapsed;
        await app.StopAsync();
        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"accepted:  {events / ingest.TotalSeconds,10:N0} events/s  ({events} in {ingest.TotalSeconds:N2} s)");
        Console.WriteLine($"delivered: {received / delivered.TotalSeconds,10:N0} deliveries/s end to end ({received}/{expected} in {delivered.TotalSeconds:N2} s)");
        if (delivered > ingest)
        {
            // Once publishing stops the dispatcher has the machine to itself: its sustained rate.
            Console.WriteLine($"draining:  {(received - receivedDuringIngest) / (delivered - ingest).TotalSeconds,10:N0} deliveries/s after the last event was accepted");
        }
        if (sorted.Length > 0)
        {
            Console.WriteLine($"latency publish->received: p50 {Percentile(sorted, 0.50):N0} ms, p99 {Percentile(sorted, 0.99):N0} ms");
        }

        Directory.Delete(dataPath, recursive: true);
        return received == expected ? 0 : 1;
    }

    private static string EventJson(int i, string accountId) =>
        $"{{\"id\":\"evt_load_{i}\",\"name\":\"payment_intent.succeeded\",\"account_id\":\"{accountId}\",\"data\":{{\"object\":{{\"id\":\"int_{i}\",\"amount\":{i % 1000}.5,\"currency\":\"USD\",\"status\":\"SUCCEEDED\",\"merchant_order_id\":\"order_{i}\"}}}}}}";

    private static async Task<string> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string OptionText(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private sealed class Receiver(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    private static async Task<Receiver> StartReceiverAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return new Receiver(app, app.Urls.Single());
    }
}
