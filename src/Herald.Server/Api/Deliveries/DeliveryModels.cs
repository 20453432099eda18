using Herald.Core.Deliveries;

namespace Herald.Server.Api.Deliveries;

internal sealed record RetriggerRequest(List<string?>? Ids);

internal sealed record AttemptResponse(int Number, string StartedAt, long DurationMs, int? StatusCode, string? Error, string? ResponseBody)
{
    public static AttemptResponse From(DeliveryAttempt attempt) =>
        new(attempt.Number, ApiTime.Format(attempt.StartedAt), attempt.DurationMs, attempt.StatusCode, attempt.Error, attempt.ResponseBody);
}

/// <summary>A delivery; <see cref="AccountId"/> is the account whose event it is. <see cref="Attempts"/> only on a single read.</summary>
internal sealed record DeliveryResponse(
    string Id, string EventId, string EventName, string WebhookId, string? AccountId, string Status, int AttemptCount, string? NextAttemptAt,
    bool Retriggered, int? LastStatusCode, string? LastError, string CreatedAt, string UpdatedAt, IReadOnlyList<AttemptResponse>? Attempts = null)
{
    public static DeliveryResponse From(Delivery delivery, IReadOnlyList<DeliveryAttempt>? attempts = null) => new(
        delivery.Id, delivery.EventId, delivery.EventName, delivery.WebhookId, delivery.EventAccountId, delivery.Status, delivery.AttemptCount,
        delivery.Status == DeliveryStatus.Queued ? ApiTime.Format(delivery.NextAttemptAt) : null,
        delivery.Retriggered, delivery.LastStatusCode, delivery.LastError, ApiTime.Format(delivery.CreatedAt), ApiTime.Format(delivery.UpdatedAt),
        attempts?.Select(AttemptResponse.From).ToList());
}

internal sealed record RetriggerResponse(IReadOnlyList<DeliveryResponse> Items);
