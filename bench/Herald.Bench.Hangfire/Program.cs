using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using Hangfire.PostgreSql;
using Herald.Bench;
using Herald.Bench.Hangfire;

// The baseline a .NET team would otherwise build: each published event becomes one Hangfire job (PostgreSQL
// storage) that signs and POSTs it. The harness starts this process, waits for "ready", writes "go" on stdin,
// and kills the process once the receiver has every event. Publishing runs in this process (Hangfire's client
// enqueues straight into PostgreSQL), so its CPU counts here too, as Herald's API does in Herald's process.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
var settings = builder.Configuration.Get<BaselineSettings>() ?? new BaselineSettings();

builder.Services.AddSingleton(new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Workers, UseProxy = false })
{
    Timeout = TimeSpan.FromSeconds(15),
});
builder.Services.AddSingleton<SignedPostJob>();
builder.Services.AddHangfire(configuration => configuration
    .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
    .UseSimpleAssemblyNameTypeSerializer()
    .UseRecommendedSerializerSettings()
    .UsePostgreSqlStorage(
        // Every worker holds a connection while its job runs: the pool must fit them and the publishers, as a team
        // raising WorkerCount would learn (Npgsql's default of 100 starves the publishers at 128 workers).
        options => options.UseNpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(settings.Connection)
        {
            MaxPoolSize = settings.Workers + settings.Publishers + 16,
        }.ConnectionString),
        // Tuned as a team chasing latency would: LISTEN/NOTIFY wake-ups instead of the 15 s default poll.
        new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, EnableLongPolling = true, QueuePollInterval = TimeSpan.FromMilliseconds(200) }));
builder.Services.AddHangfireServer(options => options.WorkerCount = settings.Workers);

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
if (await Console.In.ReadLineAsync() != "go")
{
    return 1;
}

var client = host.Services.GetRequiredService<IBackgroundJobClient>();
var acceptedAt = new long[settings.MaxEvents];
var next = -1L;
var deadline = Stopwatch.GetTimestamp() + (long)(settings.DurationSeconds * Stopwatch.Frequency);
var started = Stopwatch.GetTimestamp();
await Task.WhenAll(Enumerable.Range(0, settings.Publishers).Select(_ => Task.Run(() =>
{
    for (var sequence = Interlocked.Increment(ref next); sequence < settings.MaxEvents && Stopwatch.GetTimestamp() < deadline; sequence = Interlocked.Increment(ref next))
    {
        var url = $"{settings.Receiver}/hook/{sequence % settings.Endpoints}";
        var body = Encoding.UTF8.GetString(BenchEvents.Envelope(settings.Run, sequence, "acct_hangfire", TimeProvider.System.GetUtcNow()));
        client.Enqueue<SignedPostJob>(job => job.SendAsync(url, body));
        acceptedAt[sequence] = Stopwatch.GetTimestamp();
    }
})));

// A loop that took a sequence number after the deadline left a gap: write what was accepted, by sequence.
var accepted = acceptedAt.Select((timestamp, sequence) => (timestamp, sequence)).Where(a => a.timestamp != 0).ToList();
await File.WriteAllLinesAsync(settings.AcceptedFile, accepted.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.sequence}\t{a.timestamp}")));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published {accepted.Count} {started}"));
await host.WaitForShutdownAsync();
return 0;
