using Herald.Core.Events;
using Herald.Core.Webhooks;

namespace Herald.Server.Api.Webhooks;

internal sealed record CreateWebhookRequest(string? Url, List<string?>? Events, bool? AllEvents, string? Secret, string? Description, string? AccountId);

internal sealed record UpdateWebhookRequest(string? Url, List<string?>? Events, bool? AllEvents, string? Description, string? Status);

internal sealed record RotateSecretRequest(long? ActivateAfterSeconds);

internal sealed record TestWebhookRequest(string? Name);

/// <summary>A webhook. <see cref="Secret"/> appears only in the answer to create; other reads tell <see cref="HasSecret"/>.</summary>
internal sealed record WebhookResponse(
    string Id, string? AccountId, string? AppId, string Url, IReadOnlyList<string> Events, bool AllEvents, string Status,
    string? DisabledReason, string? Description, string CreatedAt, string UpdatedAt, string? Secret = null, bool? HasSecret = null)
{
    public static WebhookResponse From(Webhook webhook, bool includeSecret = false) => new(
        webhook.Id, webhook.AccountId, webhook.AppId, webhook.Url, webhook.Events, webhook.AllEvents, webhook.Status, webhook.DisabledReason,
        webhook.Description, ApiTime.Format(webhook.CreatedAt), ApiTime.Format(webhook.UpdatedAt),
        Secret: includeSecret ? webhook.Secret : null,
        HasSecret: webhook.Secret is not null);
}

/// <summary>The next secret (shown once) and when it starts signing.</summary>
internal sealed record RotateSecretResponse(string Id, string Secret, string ActivatesAt)
{
    public static RotateSecretResponse From(RotatedSecret rotated) => new(rotated.WebhookId, rotated.Secret, ApiTime.Format(rotated.ActivatesAt));
}

internal sealed record TestDeliveryResponse(string EventId, string Name, bool Success, int? StatusCode, long DurationMs, string? Error, string? ResponseBody)
{
    public static TestDeliveryResponse From(WebhookTestResult result) =>
        new(result.EventId, result.Name, result.Success, result.StatusCode, result.DurationMs, result.Error, result.ResponseBody);
}
