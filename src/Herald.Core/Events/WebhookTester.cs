using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Contracts.Samples;
using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Herald.Core.Events;

/// <summary>What a test send produced.</summary>
internal sealed record WebhookTestResult(string EventId, string Name, bool Success, int? StatusCode, long DurationMs, string? Error, string? ResponseBody);

/// <summary>Sends a realistic sample of any event type to a webhook, signed and judged exactly like a delivery.</summary>
internal sealed class WebhookTester(WebhookService webhooks, IWebhookSender sender, TimeProvider time, IOptions<DeliveryOptions> deliveryOptions, IOptions<EventOptions> eventOptions)
{
    /// <summary>Sends one sample of <paramref name="eventName"/> now; not stored as an event, not retried.</summary>
    public async Task<WebhookTestResult> TestAsync(Caller caller, string webhookId, string? eventName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(eventName) || !EventCatalog.TryGet(eventName, out var type))
        {
            throw HeraldException.Validation("name must be a catalog event name; GET /api/v1/event_types lists them.", "name");
        }

        var webhook = await webhooks.GetAsync(caller, webhookId, cancellationToken);
        var now = time.GetUtcNow();
        var eventId = Ids.New(Ids.TestEvent);
        var accountId = type.IsPartnerLevel ? null : webhook.AccountId ?? "acct_test";
        var appId = type.IsPartnerLevel || webhook.AccountId is null ? webhook.AppId : null;
        var envelope = WebhookEnvelope.Serialize(eventId, type.Name, accountId, appId, EventSamples.GetData(type.Name).Span, now, eventOptions.Value.DefaultVersion);
        using var activity = HeraldActivities.StartWebhookTest(webhook.Id);
        var result = await sender.SendAsync(webhook.Url, webhook.SigningSecret(now.ToUnixTimeMilliseconds()), envelope, cancellationToken);
        return new WebhookTestResult(
            eventId, type.Name, deliveryOptions.Value.IsSuccess(result.StatusCode), result.StatusCode, (long)result.Duration.TotalMilliseconds, result.Error, result.ResponseBody);
    }
}
