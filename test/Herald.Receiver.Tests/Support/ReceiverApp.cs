using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Herald.Receiver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Tests.Support;

/// <summary>
/// A real ASP.NET Core app using the package, on Kestrel at 127.0.0.1 with an ephemeral port, plus a client
/// that signs like Herald and Airwallex do.
/// </summary>
internal sealed class ReceiverApp : IAsyncDisposable
{
    public const string Secret = "whsec_receiver_test_secret_0123456789";

    private readonly WebApplication _app;

    private ReceiverApp(WebApplication app, TimeProvider time)
    {
        _app = app;
        Time = time;
    }

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public TimeProvider Time { get; }

    public IWebhookInbox Inbox => Services.GetRequiredService<IWebhookInbox>();

    public static async Task<ReceiverApp> StartAsync(
        string connectionString,
        Action<HeraldReceiverOptions>? configure = null,
        Action<HeraldReceiverBuilder>? handlers = null,
        TimeProvider? time = null,
        Action<WebApplication>? beforeMap = null,
        Action<IServiceCollection>? services = null,
        HeraldInboxProvider provider = HeraldInboxProvider.Sqlite)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        services?.Invoke(builder.Services);
        var receiver = builder.Services.AddHeraldReceiver(options =>
        {
            options.Secrets.Add(Secret);
            options.InboxProvider = provider;
            options.InboxConnectionString = connectionString;
            options.SqliteSynchronous = "NORMAL";
            options.PollInterval = TimeSpan.FromMilliseconds(200);
            options.RetryBaseDelay = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });
        handlers?.Invoke(receiver);
        var app = builder.Build();
        beforeMap?.Invoke(app);
        app.MapHeraldWebhooks("/webhooks/herald");
        await app.StartAsync();
        var result = new ReceiverApp(app, app.Services.GetRequiredService<TimeProvider>())
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

    public async Task<InboxEntry> WaitForStateAsync(string eventId, InboxEntryState state, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        while (true)
        {
            var entry = await Inbox.FindAsync(eventId);
            if (entry?.State == state)
            {
                return entry;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Event {eventId} did not reach {state}; it is {entry?.State.ToString() ?? "absent"} after {entry?.Attempts} tries ({entry?.LastError}).");
            }

            await Task.Delay(20);
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
