using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Herald.LoadTest;

/// <summary>
/// How fast the dashboard's API calls answer with a large delivery log: seeds a real Herald database (SQLite in a
/// temp folder, or the PostgreSQL database given) with N deliveries spread over 24 hours, their events and attempts,
/// then times the delivery-log pages and the statistics the dashboard asks for through the HTTP API on 127.0.0.1,
/// first with the dashboard's indexes (migration 0002) and then, as the baseline of the same run, without them.
/// Usage: dashboard [--deliveries 100000] [--webhooks 4] [--repeat 20] [--postgres "Host=…;Database=…"] [--keep-data]
/// </summary>
internal static class DashboardLoad
{
    private const string AdminKey = "hk_admin_dashboard_bench_0123456789";
    private static readonly string[] DashboardIndexes = ["deliveries_created", "deliveries_webhook_created", "deliveries_status_created", "deliveries_account_created", "attempts_started"];

    public static async Task<int> RunAsync(string[] args)
    {
        var deliveries = Option(args, "--deliveries", 100_000);
        var webhookCount = Option(args, "--webhooks", 4);
        var repeat = Option(args, "--repeat", 20);
        var postgres = OptionText(args, "--postgres", null);

        var dataPath = Directory.CreateTempSubdirectory("herald-dashboard-bench-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls=http://127.0.0.1:0"] });
        var settings = new Dictionary<string, string?>
        {
            ["HERALD_ADMIN_KEY"] = AdminKey,
            ["Herald:Dev"] = "true",
            ["Herald:DataPath"] = dataPath,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (postgres is not null)
        {
            settings["Herald:Storage:Provider"] = "postgres";
            settings["Herald:Storage:ConnectionString"] = postgres;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddHeraldServer();
        await using var app = builder.Build();
        app.MapHeraldServer();
        await app.StartAsync();

        using var admin = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var accountId = await IdAsync(admin, "/api/v1/accounts/create", "{\"name\":\"Bench\"}", "id");
        var key = await IdAsync(admin, "/api/v1/api_keys/create", $"{{\"account_id\":\"{accountId}\"}}", "key");
        using var tenant = new HttpClient { BaseAddress = admin.BaseAddress };
        tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var webhooks = new List<string>();
        for (var w = 0; w < webhookCount; w++)
        {
            // Port 9 on loopback: nothing is delivered (seeded deliveries are finished, or queued days ahead).
            webhooks.Add(await IdAsync(admin, "/api/v1/webhooks/create",
                $"{{\"account_id\":\"{accountId}\",\"url\":\"http://127.0.0.1:9/hook/{w}\",\"events\":[\"payment_intent.succeeded\"]}}", "id"));
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var seeding = Stopwatch.StartNew();
        await using (var connection = await OpenAsync(postgres, dataPath))
        {
            await SeedAsync(connection, accountId, webhooks, deliveries, now);
        }

        Console.WriteLine($"Seeded {deliveries:N0} deliveries ({deliveries / webhookCount:N0} events x {webhookCount} webhooks, 24 h) in {seeding.Elapsed.TotalSeconds:N1} s on {(postgres is null ? "SQLite" : "PostgreSQL")}");

        var hourAgo = Instant(now - 3_600_000);
        var dayAgo = Instant(now - 86_400_000);
        var to = Instant(now);
        (string Name, HttpClient Client, string Path)[] calls =
        [
            ("deliveries, first page (admin)", admin, "/api/v1/deliveries?page_size=100"),
            ("deliveries, status=failed", admin, "/api/v1/deliveries?status=failed&page_size=100"),
            ("deliveries, one webhook", admin, $"/api/v1/deliveries?webhook_id={webhooks[0]}&page_size=100"),
            ("deliveries, created in one hour", admin, $"/api/v1/deliveries?from_created_at={hourAgo}&to_created_at={to}&page_size=100"),
            ("deliveries, page 500 (offset 50,000)", admin, "/api/v1/deliveries?page_size=100&page_num=500"),
            ("deliveries, first page (account key)", tenant, "/api/v1/deliveries?page_size=100"),
            ("stats, last hour per minute (admin)", admin, $"/api/v1/stats/deliveries?from={hourAgo}&to={to}"),
            ("stats, 24 h per hour (admin)", admin, $"/api/v1/stats/deliveries?from={dayAgo}&to={to}&bucket=hour"),
            ("stats, 24 h per minute, one webhook", admin, $"/api/v1/stats/deliveries?webhook_id={webhooks[0]}&from={dayAgo}&to={to}&bucket=minute"),
            ("stats, 24 h per hour (account key)", tenant, $"/api/v1/stats/deliveries?from={dayAgo}&to={to}&bucket=hour"),
        ];

        var withIndexes = await MeasureAsync(calls, repeat);
        await using (var connection = await OpenAsync(postgres, dataPath))
        {
            foreach (var index in DashboardIndexes)
            {
                await ExecuteAsync(connection, $"DROP INDEX IF EXISTS {index}");
            }

            // Back to the schema of migration 0001.
            await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS deliveries_account ON deliveries (account_id, created_at)");

            await ExecuteAsync(connection, postgres is null ? "ANALYZE" : "ANALYZE deliveries; ANALYZE attempts");
        }

        var withoutIndexes = await MeasureAsync(calls, repeat);
        await app.StopAsync();

        Console.WriteLine();
        Console.WriteLine($"{"API call",-40} {"median",9} {"p95",9}   {"without 0002 indexes: median",28} {"ratio",7}");
        for (var i = 0; i < calls.Length; i++)
        {
            var (median, p95) = withIndexes[i];
            var (baseline, _) = withoutIndexes[i];
            Console.WriteLine($"{calls[i].Name,-40} {median,7:N1}ms {p95,7:N1}ms   {baseline,26:N1}ms {baseline / median,6:N1}x");
        }

        SqliteConnection.ClearAllPools();
        if (args.Contains("--keep-data"))
        {
            Console.WriteLine($"Data kept in {dataPath}");
            return 0;
        }

        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static async Task<(double Median, double P95)[]> MeasureAsync((string Name, HttpClient Client, string Path)[] calls, int repeat)
    {
        var results = new (double, double)[calls.Length];
        for (var i = 0; i < calls.Length; i++)
        {
            var (_, client, path) = calls[i];
            var times = new List<double>(repeat);
            for (var run = -3; run < repeat; run++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
                }

                if (run >= 0)
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            times.Sort();
            results[i] = (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.95))]);
        }

        return results;
    }

    /// <summary>
    /// Writes events, deliveries and attempts as the engine would have: one event per webhook set every 24 h / N, 90 %
    /// delivered at the first attempt, 6 % failed after three, 4 % still queued (due in ten days) after one error.
    /// </summary>
    private static async Task SeedAsync(DbConnection connection, string accountId, List<string> webhooks, int deliveries, long now)
    {
        var events = deliveries / webhooks.Count;
        var step = 86_400_000 / Math.Max(1, events);
        var random = new Random(42);
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insertEvent = Command(connection, transaction,
            "INSERT INTO events (id, name, account_id, app_id, created_at, version, content_hash, body, ingested_at) VALUES (@id, 'payment_intent.succeeded', @account, NULL, @created, '2026-02-27', @hash, @body, @created)",
            "id", "account", "created", "hash", "body");
        await using var insertDelivery = Command(connection, transaction,
            """
            INSERT INTO deliveries (id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts,
              next_attempt_at, retriggered, last_status_code, last_error, created_at, updated_at)
            VALUES (@id, @event, 'payment_intent.succeeded', @webhook, @account, NULL, @account, @status, @attempts, @attempts, @next, @retriggered, @code, @error, @created, @updated)
            """,
            "id", "event", "webhook", "account", "status", "attempts", "next", "retriggered", "code", "error", "created", "updated");
        await using var insertAttempt = Command(connection, transaction,
            "INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_body) VALUES (@delivery, @number, @started, @duration, @code, @error, @body)",
            "delivery", "number", "started", "duration", "code", "error", "body");

        for (var e = 0; e < events; e++)
        {
            var created = now - 86_400_000 + (e * step);
            var eventId = $"evt_bench_{e:D7}";
            var body = Encoding.UTF8.GetBytes(
                $"{{\"id\":\"{eventId}\",\"name\":\"payment_intent.succeeded\",\"account_id\":\"{accountId}\",\"data\":{{\"object\":{{\"id\":\"int_{e}\",\"amount\":10.5,\"currency\":\"USD\"}}}},\"created_at\":\"x\",\"version\":\"2026-02-27\"}}");
            await RunAsync(insertEvent, eventId, accountId, created, System.Security.Cryptography.SHA256.HashData(body), body);
            foreach (var webhook in webhooks)
            {
                var deliveryId = $"dlv_{eventId}_{webhook[^6..]}";
                var roll = random.Next(100);
                var (status, attempts, code, error) = roll switch
                {
                    < 90 => ("success", 1, (int?)200, (string?)null),
                    < 96 => ("failed", 3, 500, null),
                    _ => ("queued", 1, null, "connection refused"),
                };
                long? next = status == "queued" ? now + (10L * 86_400_000) : null;
                await RunAsync(insertDelivery, deliveryId, eventId, webhook, accountId, status, attempts, next, false, code, error, created, created + 1000);
                for (var a = 1; a <= attempts; a++)
                {
                    var duration = (long)(20 + (random.NextDouble() * random.NextDouble() * 800));
                    await RunAsync(insertAttempt, deliveryId, a, created + ((a - 1) * 5000), duration, code, error, code is null ? null : "ok");
                }
            }
        }

        await transaction.CommitAsync();
        await ExecuteAsync(connection, "ANALYZE");
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static Task<int> RunAsync(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<DbConnection> OpenAsync(string? postgres, string dataPath)
    {
        DbConnection connection = postgres is not null
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={Path.Combine(dataPath, "herald.db")};Pooling=false;Default Timeout=60");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<string> IdAsync(HttpClient client, string path, string json, string property)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.GetProperty(property).GetString()!
            : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
    }

    private static string Instant(long unixMilliseconds) =>
        Uri.EscapeDataString(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture));

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? OptionText(string[] args, string name, string? fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}
