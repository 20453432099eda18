using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Server.Api.Accounts;
using Herald.Server.Api.Deliveries;
using Herald.Server.Api.Errors;
using Herald.Server.Api.Events;
using Herald.Server.Api.Partners;
using Herald.Server.Api.Public;
using Herald.Server.Api.Retention;
using Herald.Server.Api.Session;
using Herald.Server.Api.Stats;
using Herald.Server.Api.Webhooks;

namespace Herald.Server.Api;

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
[JsonSerializable(typeof(OrganizationResponse))]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(ListResponse<AccountResponse>))]
[JsonSerializable(typeof(CreateEventRequest))]
[JsonSerializable(typeof(BatchCreateEventsRequest))]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(EventEnvelopeList))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(RotateSecretRequest))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(ListResponse<WebhookResponse>))]
[JsonSerializable(typeof(RotateSecretResponse))]
[JsonSerializable(typeof(TestDeliveryResponse))]
[JsonSerializable(typeof(RetriggerRequest))]
[JsonSerializable(typeof(DeliveryResponse))]
[JsonSerializable(typeof(ListResponse<DeliveryResponse>))]
[JsonSerializable(typeof(RetriggerResponse))]
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(CreateConnectionRequest))]
[JsonSerializable(typeof(DisconnectRequestBody))]
[JsonSerializable(typeof(AppResponse))]
[JsonSerializable(typeof(ConnectionResponse))]
[JsonSerializable(typeof(ListResponse<ConnectionResponse>))]
[JsonSerializable(typeof(DisconnectResponse))]
[JsonSerializable(typeof(EventTypeResponse))]
[JsonSerializable(typeof(ListResponse<EventTypeResponse>))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(RetentionResponse))]
[JsonSerializable(typeof(DeliveryStatsResponse))]
[JsonSerializable(typeof(CallerResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The API's JSON: the source-generated contracts, snake_case, strict (unknown fields and duplicate keys refused, text checked), readable escaping.</summary>
internal static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

        // Ambiguous input is refused, not guessed at: a key given twice anywhere (data included) is a 400, and every
        // request string goes through the one text rule (no control characters, no unpaired surrogates).
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new TextJsonConverter());
    }
}
