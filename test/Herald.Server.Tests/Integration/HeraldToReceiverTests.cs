using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Herald.Receiver;
using Herald.Receiver.Events;
using Herald.Server.Tests.Infrastructure;
using Herald.Server.Tests.Partners;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Integration;

/// <summary>
/// The two halves of the product against each other: a real Herald server delivering to a real ASP.NET Core
/// app that receives with Herald.Receiver, both on 127.0.0.1, on the system clock (the receiver checks the
/// x-timestamp window against real time).
/// </summary>
public sealed class HeraldToReceiverTests : IAsyncLifetime
{
    private const string Secret = "whsec_integration_secret_0123456789";

    private readonly string _inboxFolder = Directory.CreateTempSubdirectory("herald-inbox-").FullName;
    private HeraldTestServer _server = null!;
    private WebApplication _receiver = null!;
    private HandledEvents _handled = null!;
    private string _url = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HeraldTestServer.StartAsync(fakeTime: false);
        _handled = new HandledEvents();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(_handled);
        builder.Services.AddHeraldReceiver(options =>
            {
                options.Secrets.Add(Secret);
                options.InboxConnectionString = $"Data Source={Path.Combine(_inboxFolder, "inbox.db")}";
                options.PollInterval = TimeSpan.FromMilliseconds(100);
            })
            .UseSqliteInbox(configure: sqlite => sqlite.Synchronous = SqliteInboxSynchronous.Normal)
            .AddHandler<PaymentIntentSucceeded, RecordingHandler>()
            .AddHandler<RefundEvent, RecordingHandler>();
        _receiver = builder.Build();
        _receiver.MapHeraldWebhooks("/webhooks/airwallex");
        await _receiver.StartAsync();
        _url = _receiver.Urls.Single() + "/webhooks/airwallex";
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_inboxFolder, recursive: true);
    }

    private async Task<JsonObject> CreateSignedWebhookAsync(string account, params string[] events) =>
        await _server.PostAsync("/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account, ["url"] = _url, ["secret"] = Secret,
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]),
        });

    [Fact]
    public async Task Herald_deliveries_are_acknowledged_on_the_first_attempt_and_each_event_is_handled_once()
    {
        var account = await _server.CreateAccountAsync();
        await CreateSignedWebhookAsync(account, "payment_intent.succeeded", "refund.received", "refund.failed");

        for (var i = 0; i < 10; i++)
        {
            await _server.PublishAsync(account, "payment_intent.succeeded", id: $"evt_pi_{i}", dataJson: $"{{\"object\":{{\"id\":\"int_{i}\",\"amount\":{i}.5,\"currency\":\"USD\",\"merchant_order_id\":\"order_{i}\"}}}}");
            await _server.PublishAsync(account, i % 2 == 0 ? "refund.received" : "refund.failed", id: $"evt_rf_{i}",
                dataJson: $"{{\"object\":{{\"id\":\"rfd_{i}\"}},\"error\":{{\"code\":\"provider_declined\",\"message\":\"No.\",\"provider_original_response_code\":\"R2\"}}}}");
        }

        await _handled.WaitForAsync(20);

        // The receiver may finish handling before Herald has written the 200 into its delivery log.
        await _server.WaitForIdleAsync();
        var deliveries = await _server.DeliveriesAsync("?status=success&page_size=100");

        Assert.Equal(20, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(1, d!["attempt_count"]!.GetValue<int>()));
        Assert.All(_handled.Counts.Values, count => Assert.Equal(1, count));
        Assert.Equal("order_3", _handled.Intents["evt_pi_3"].Object.MerchantOrderId);
        Assert.Equal(3.5m, _handled.Intents["evt_pi_3"].Object.Amount);
        Assert.Equal("R2", _handled.Refunds["evt_rf_1"].Error?.ProviderOriginalResponseCode);
    }

    [Fact]
    public async Task Redelivering_the_same_event_three_times_at_once_runs_the_handler_once()
    {
        var account = await _server.CreateAccountAsync();
        await CreateSignedWebhookAsync(account, "payment_intent.succeeded");
        await _server.PublishAsync(account, id: "evt_dup");
        await _handled.WaitForAsync(1);
        var deliveryId = (await _server.DeliveriesAsync("?event_id=evt_dup"))[0]!["id"]!.GetValue<string>();

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            _server.PostAsync("/api/v1/deliveries/retrigger", new JsonObject { ["ids"] = new JsonArray(deliveryId) })));
        await _server.WaitForIdleAsync();
        var delivery = await _server.GetAsync($"/api/v1/deliveries/{deliveryId}");
        await WaitForInboxIdleAsync(); // every redelivery acknowledged has been handled or found a duplicate

        Assert.True(delivery["retriggered"]!.GetValue<bool>());
        Assert.All(delivery["attempts"]!.AsArray(), a => Assert.Equal(200, a!["status_code"]!.GetValue<int>()));
        Assert.Equal(1, _handled.Counts["evt_dup"]);
    }

    [Fact]
    public async Task A_disconnect_in_herald_marks_every_account_and_the_organization_inactive_in_the_receiver()
    {
        var org = await _server.CreateOrganizationAsync();
        var first = await _server.CreateAccountAsync("First", org);
        var second = await _server.CreateAccountAsync("Second", org);
        using var app = await _server.CreateAppAsync();
        await _server.ConnectAsync(first, app.AppId);
        await _server.ConnectAsync(second, app.AppId);
        await _server.PostAsync("/partner-api/v1/webhooks/create", new JsonObject
        {
            ["url"] = _url, ["secret"] = Secret, ["events"] = new JsonArray("partner_connection.disconnected"),
        }, app.Client);
        var connections = _receiver.Services.GetRequiredService<IPartnerConnections>();
        foreach (var id in new[] { first, second, org })
        {
            await connections.MarkConnectedAsync(id);
        }

        using var orgClient = await _server.KeyClientAsync(orgId: org);
        await _server.PostAsync("/api/v1/connections/disconnect", new JsonObject { ["app_id"] = app.AppId }, orgClient);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await connections.IsConnectedAsync(second) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(await connections.IsConnectedAsync(first));
        Assert.False(await connections.IsConnectedAsync(second));
        Assert.False(await connections.IsConnectedAsync(org));
    }

    /// <summary>Waits until the receiver's inbox holds nothing pending: every acknowledged event has been handled (or parked).</summary>
    private async Task WaitForInboxIdleAsync()
    {
        var inbox = _receiver.Services.GetRequiredService<IWebhookInbox>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await inbox.GetCountsAsync()).Pending > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the receiver's inbox still had pending events");
            await Task.Delay(20);
        }
    }

    internal sealed class HandledEvents
    {
        public ConcurrentDictionary<string, int> Counts { get; } = new();

        public ConcurrentDictionary<string, PaymentIntentSucceeded> Intents { get; } = new();

        public ConcurrentDictionary<string, RefundEvent> Refunds { get; } = new();

        public async Task WaitForAsync(int distinctEvents)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (Counts.Count < distinctEvents)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {Counts.Count} of {distinctEvents} events were handled");
                await Task.Delay(20);
            }
        }
    }

    internal sealed class RecordingHandler(HandledEvents handled) : IWebhookHandler<PaymentIntentSucceeded>, IWebhookHandler<RefundEvent>
    {
        public Task HandleAsync(PaymentIntentSucceeded webhookEvent, WebhookContext context, CancellationToken cancellationToken)
        {
            handled.Intents[webhookEvent.Id] = webhookEvent;
            handled.Counts.AddOrUpdate(webhookEvent.Id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task HandleAsync(RefundEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken)
        {
            handled.Refunds[webhookEvent.Id] = webhookEvent;
            handled.Counts.AddOrUpdate(webhookEvent.Id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
