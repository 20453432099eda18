using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Server.Api;

// Requests. Every member is optional at the JSON level so that validation, not the deserializer,
// names the missing field in the error's `source`.

internal sealed record CreateOrganizationRequest(string? Name);

internal sealed record CreateAccountRequest(string? Name, string? OrgId);

internal sealed record CreateApiKeyRequest(string? AccountId, string? OrgId);

internal sealed record CreateEventRequest(string? Id, string? Name, string? AccountId, JsonElement? Data, string? CreatedAt, string? Version);

internal sealed record BatchCreateEventsRequest(List<CreateEventRequest>? Events);

internal sealed record CreateWebhookRequest(string? Url, List<string>? Events, bool? AllEvents, string? Secret, string? Description, string? AccountId);

internal sealed record UpdateWebhookRequest(string? Url, List<string>? Events, bool? AllEvents, string? Description, string? Status);

internal sealed record RotateSecretRequest(long? ActivateAfterSeconds);

internal sealed record TestWebhookRequest(string? Name);

internal sealed record RetriggerRequest(List<string>? Ids);

internal sealed record CreateAppRequest(string? Name);

internal sealed record CreateConnectionRequest(string? AppId, string? AccountId);

internal sealed record DisconnectRequest(string? AppId, string? AccountId, List<string>? AccountIds, string? OrgId);

// Responses.

internal sealed record OrganizationResponse(string Id, string Name, string CreatedAt);

internal sealed record AccountResponse(string Id, string Name, string? OrgId, string CreatedAt);

internal sealed record ApiKeyResponse(string Id, string Key, string? AccountId, string? OrgId, string CreatedAt);

internal sealed record WebhookResponse(
    string Id, string? AccountId, string? AppId, string Url, IReadOnlyList<string> Events, bool AllEvents, string Status,
    string? DisabledReason, string? Description, string CreatedAt, string UpdatedAt, string? Secret = null, bool? HasSecret = null);

internal sealed record RotateSecretResponse(string Id, string Secret, string ActivatesAt);

internal sealed record AttemptResponse(int Number, string StartedAt, long DurationMs, int? StatusCode, string? Error, string? ResponseBody);

internal sealed record DeliveryResponse(
    string Id, string EventId, string EventName, string WebhookId, string? AccountId, string Status, int AttemptCount, string? NextAttemptAt,
    bool Retriggered, int? LastStatusCode, string? LastError, string CreatedAt, string UpdatedAt, IReadOnlyList<AttemptResponse>? Attempts = null);

internal sealed record TestDeliveryResponse(string EventId, string Name, bool Success, int? StatusCode, long DurationMs, string? Error, string? ResponseBody);

internal sealed record RetriggerResponse(IReadOnlyList<DeliveryResponse> Items);

internal sealed record AppResponse(string AppId, string Name, string ClientId, string ClientSecret, string CreatedAt);

internal sealed record ConnectionResponse(string AccountId, string AppId, string? OrgId, string Status, string CreatedAt, string UpdatedAt);

/// <summary>What a disconnect did: the accounts it disconnected now (empty when all already were) and the event it emitted.</summary>
internal sealed record DisconnectResponse(string AppId, IReadOnlyList<string> AccountIds, string? OrgId, string? EventId);

internal sealed record EventTypeResponse(string Name, string Description);

internal sealed record ListResponse<T>(IReadOnlyList<T> Items, bool HasMore);

internal sealed record HealthResponse(string Status);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(CreateOrganizationRequest))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreateEventRequest))]
[JsonSerializable(typeof(BatchCreateEventsRequest))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(RotateSecretRequest))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(RetriggerRequest))]
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(CreateConnectionRequest))]
[JsonSerializable(typeof(DisconnectRequest))]
[JsonSerializable(typeof(AppResponse))]
[JsonSerializable(typeof(ConnectionResponse))]
[JsonSerializable(typeof(DisconnectResponse))]
[JsonSerializable(typeof(ListResponse<ConnectionResponse>))]
[JsonSerializable(typeof(OrganizationResponse))]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(RotateSecretResponse))]
[JsonSerializable(typeof(DeliveryResponse))]
[JsonSerializable(typeof(TestDeliveryResponse))]
[JsonSerializable(typeof(RetriggerResponse))]
[JsonSerializable(typeof(ListResponse<AccountResponse>))]
[JsonSerializable(typeof(ListResponse<WebhookResponse>))]
[JsonSerializable(typeof(ListResponse<DeliveryResponse>))]
[JsonSerializable(typeof(ListResponse<EventTypeResponse>))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The API's serializer: the source-generated contracts with readable (relaxed) escaping.</summary>
internal static class ApiJson
{
    public static ApiJsonContext Context { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
