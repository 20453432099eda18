using System.Collections.Concurrent;
using System.Net;
using Herald.Receiver;
using Herald.Receiver.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>
/// A developer's local app built on Herald.Receiver (verify, durable inbox, background handling once per event id)
/// on Kestrel at 127.0.0.1: what <c>herald listen --forward-to</c> is for.
/// </summary>
public sealed class ReceiverApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReceiverApp(WebApplication app, HandledEvents handled, string url)
    {
        _app = app;
        Handled = handled;
        WebhookUrl = url;
    }

    public HandledEvents Handled { get; }

    public string WebhookUrl { get; }

    public static async Task<ReceiverApp> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var handled = new HandledEvents();
        builder.Services.AddSingleton(handled);
        builder.Services.AddHeraldReceiver(options =>
        {
            options.Secrets.Add(secret);
            options.InboxConnectionString = $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("herald-cli-inbox-").FullName, "inbox.db")}";
            options.PollInterval = TimeSpan.FromMilliseconds(100);
        })
        .UseSqliteInbox(configure: sqlite => sqlite.Synchronous = SqliteInboxSynchronous.Normal)
        .AddHandler<WebhookEvent, RecordingHandler>();
        var app = builder.Build();
        app.MapHeraldWebhooks("/webhooks/airwallex");
        await app.StartAsync();
        return new ReceiverApp(app, handled, app.Urls.Single() + "/webhooks/airwallex");
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Every event id the app's handler ran for, with how many times.</summary>
public sealed class HandledEvents
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => new Dictionary<string, int>(_counts);

    public void Add(string id) => _counts.AddOrUpdate(id, 1, (_, count) => count + 1);

    public async Task WaitForAsync(string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!_counts.ContainsKey(id))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Event {id} was not handled; handled so far: {string.Join(", ", _counts.Keys)}.");
            }

            await Task.Delay(20);
        }
    }
}

internal sealed class RecordingHandler(HandledEvents handled) : IWebhookHandler<WebhookEvent>
{
    public Task HandleAsync(WebhookEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        handled.Add(webhookEvent.Id);
        return Task.CompletedTask;
    }
}
