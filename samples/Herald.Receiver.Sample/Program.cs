using Herald.Receiver;
using Herald.Receiver.Events;

// A minimal receiver: verify, store durably, acknowledge, then handle in the background exactly once per event id.
//   HeraldReceiver__Secrets__0=whsec_… dotnet run --project samples/Herald.Receiver.Sample --urls http://127.0.0.1:5080
//   herald listen --forward-to http://127.0.0.1:5080/webhooks/airwallex   (or point a Herald/Airwallex webhook at it)
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddHeraldReceiver(builder.Configuration.GetSection("HeraldReceiver"))
    .UseSqliteInbox() // HeraldReceiver:InboxConnectionString; or .UsePostgresInbox(…) from Herald.Receiver.PostgreSql
    .AddHandler<PaymentIntentSucceeded, FulfilOrder>()
    .AddHandler<RefundEvent, LogRefund>()
    .AddPartnerDisconnectionNotifier<LogDisconnection>();

var app = builder.Build();
app.MapHeraldWebhooks("/webhooks/airwallex");
app.MapGet("/inbox/parked", (IWebhookInbox inbox, CancellationToken ct) => inbox.GetParkedAsync(50, ct));
app.MapGet("/connections/{id}", async (string id, IPartnerConnections connections, CancellationToken ct) =>
    (await connections.GetStatusAsync(id, ct)).ToString());
app.Run();

internal sealed partial class FulfilOrder(ILogger<FulfilOrder> logger) : IWebhookHandler<PaymentIntentSucceeded>
{
    public Task HandleAsync(PaymentIntentSucceeded webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        if (context.IsStale)
        {
            return Task.CompletedTask; // a newer event about this intent was already applied
        }

        Paid(logger, webhookEvent.Object.MerchantOrderId, webhookEvent.Object.Amount, webhookEvent.Object.Currency);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Order {OrderId} paid: {Amount} {Currency}")]
    private static partial void Paid(ILogger logger, string? orderId, decimal? amount, string? currency);
}

internal sealed partial class LogRefund(ILogger<LogRefund> logger) : IWebhookHandler<RefundEvent>
{
    public Task HandleAsync(RefundEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        Refund(logger, webhookEvent.Name, webhookEvent.Object.Id, webhookEvent.Error?.Code);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "{EventName} for refund {RefundId} (error {ErrorCode})")]
    private static partial void Refund(ILogger logger, string eventName, string? refundId, string? errorCode);
}

internal sealed partial class LogDisconnection(ILogger<LogDisconnection> logger) : IPartnerDisconnectionNotifier
{
    public Task NotifyAsync(PartnerDisconnectionNotice notice, CancellationToken cancellationToken)
    {
        Disconnected(logger, string.Join(", ", notice.AccountIds), notice.OrgId, notice.ReconnectUrl);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Warning, "Disconnected: {Accounts} (org {OrgId}); reconnect at {ReconnectUrl}")]
    private static partial void Disconnected(ILogger logger, string accounts, string? orgId, Uri? reconnectUrl);
}
