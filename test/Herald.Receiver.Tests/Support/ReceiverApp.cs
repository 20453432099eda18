using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Receiver.Inbox;
using Herald.Receiver.Processing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Tests.Support;

/// <summary>Which inbox package a test app uses.</summary>
public enum TestInbox
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A real ASP.NET Core app using the package, on Kestrel at 127.0.0.1 with an ephemeral port, plus a client
/// that signs like Herald and Airwallex do.
/// </summary>
internal sealed class ReceiverApp : IAsyncDisposable
{
    public const string Secret = "whsec_receiver_test_secret_0123456789";

    private readonly WebApplication _app;

    private ReceiverApp(WebApplication app, TimeProvider time, ProcessorProbe probe)
    {
        _app = app;
        Time = time;
        Probe = probe;
    }

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public TimeProvider Time { get; }

    /// <summary>What the app's inbox processor reports.</summary>
    public ProcessorProbe Probe { get; }

    public IWebhookInbox Inbox => Services.GetRequiredService<IWebhookInbox>();

    public SqlInboxStore Store => Services.GetRequiredService<SqlInboxStore>();

    public static async Task<ReceiverApp> StartAsync(
        string connectionString,
        Action<HeraldReceiverOptions>? configure = null,
        Action<HeraldReceiverBuilder>? handlers = null,
        TimeProvider? time = null,
        Action<WebApplication>? beforeMap = null,
        Action<IServiceCollection>? services = null,
        TestInbox inbox = TestInbox.Sqlite)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var probe = new ProcessorProbe();
        builder.Services.AddSingleton<IInboxObserver>(probe);
        services?.Invoke(builder.Services);
        var receiver = builder.Services.AddHeraldReceiver(options =>
        {
            options.Secrets.Add(Secret);
            options.PollInterval = TimeSpan.FromMilliseconds(200);
            options.RetryBaseDelay = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });
        _ = inbox == TestInbox.Postgres
            ? receiver.UsePostgresInbox(connectionString)
            : receiver.UseSqliteInbox(connectionString, sqlite => sqlite.Synchronous = SqliteInboxSynchronous.Normal);
        handlers?.Invoke(receiver);
        var app = builder.Build();
        beforeMap?.Invoke(app);
        app.MapHeraldWebhooks("/webhooks/herald");
        await app.StartAsync();
        var result = new ReceiverApp(app, app.Services.GetRequiredService<TimeProvider>(), probe)
        {
            BaseAddress = new Uri(app.Urls.Single()),
        };
        result.Client = new HttpClient { BaseAddress = result.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return result;
    }

    public static string NewSqliteDatabase()
    {
        var folder = Directory.CreateTempSubdirectory("herald-receiver-test-");
        return $"Data Source={Path.Combine(folder.FullName, "inbox.db")}";
    }

    /// <summary>A fresh database of the given kind: a SQLite file, or a new database on the test PostgreSQL.</summary>
    public static async Task<string> NewDatabaseAsync(TestInbox inbox) =>
        inbox == TestInbox.Postgres ? await Herald.Testing.PostgresServer.CreateDatabaseAsync("receiver") : NewSqliteDatabase();

    /// <summary>Posts <paramref name="body"/> signed with <paramref name="secret"/> at the app's current time.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(string body, string secret = Secret, DateTimeOffset? signedAt = null, Action<HttpRequestMessage>? tweak = null) =>
        PostSignedAsync(Encoding.UTF8.GetBytes(body), secret, signedAt, tweak);

    public async Task<HttpResponseMessage> PostSignedAsync(byte[] body, string secret = Secret, DateTimeOffset? signedAt = null, Action<HttpRequestMessage>? tweak = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/herald") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HeraldWebhook.GenerateTestHeaders(secret, body, signedAt ?? Time.GetUtcNow()).ApplyTo(request.Headers);
        tweak?.Invoke(request);
        return await Client.SendAsync(request);
    }

    /// <summary>Waits, on the processor's reports, until the event reaches <paramref name="state"/>.</summary>
    public async Task<InboxEntry> WaitForStateAsync(string eventId, InboxEntryState state, TimeSpan? timeout = null)
    {
        InboxEntry? entry = null;
        var reached = false;
        try
        {
            var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            while (true)
            {
                var version = Probe.Version;
                entry = await Inbox.FindAsync(eventId);
                if (entry?.State == state)
                {
                    reached = true;
                    return entry;
                }

                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await Probe.WaitForChangeAsync(version, left);
            }
        }
        catch (TimeoutException) when (!reached)
        {
            throw new TimeoutException($"Event {eventId} did not reach {state}; it is {entry?.State.ToString() ?? "absent"} after {entry?.Attempts} tries ({entry?.LastError}).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
