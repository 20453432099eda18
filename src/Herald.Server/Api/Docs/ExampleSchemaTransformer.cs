using System.Text.Json.Nodes;
using Herald.Server.Api.Accounts;
using Herald.Server.Api.Deliveries;
using Herald.Server.Api.Events;
using Herald.Server.Api.Partners;
using Herald.Server.Api.Stats;
using Herald.Server.Api.Webhooks;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api.Docs;

/// <summary>Examples of the main request and response bodies, shown by the API reference beside their schemas.</summary>
internal sealed class ExampleSchemaTransformer : IOpenApiSchemaTransformer
{
    private const string AccountId = "acct_yETjCx7GPIqDcnp2fYkSww";
    private const string AppId = "appid_YShMHGlexW8P3ElndQ9H";
    private const string WebhookId = "wh_Xk2vN0rQm4Lp8sT1uV3wYz";
    private const string EventId = "evt_9a7c1e2b4d6f8a0c2e4f6a";
    private const string DeliveryId = "dlv_q2W3e4R5t6Y7u8I9o0P1aS";
    private const string Time = "2026-05-20T13:54:20+0000";

    private static readonly Dictionary<Type, Func<JsonNode>> Examples = new()
    {
        [typeof(CreateAccountRequest)] = () => Parse("""{"name":"Acme Ltd","org_id":"org_8VxyrkWuSvKe-Yq2NqJ-4Q"}"""),
        [typeof(AccountResponse)] = () => Parse($$$$"""{"id":"{{{{AccountId}}}}","name":"Acme Ltd","org_id":"org_8VxyrkWuSvKe-Yq2NqJ-4Q","created_at":"{{{{Time}}}}"}"""),
        [typeof(CreateEventRequest)] = () => Parse($$$$"""
            {"id":"{{{{EventId}}}}","name":"payment_intent.succeeded","account_id":"{{{{AccountId}}}}",
             "data":{"object":{"id":"int_hkdmzpxvg0h3gqkqhv1","amount":10.5,"currency":"USD","status":"SUCCEEDED"}}}
            """),
        [typeof(EventEnvelope)] = () => Parse($$$$"""
            {"id":"{{{{EventId}}}}","name":"payment_intent.succeeded","account_id":"{{{{AccountId}}}}",
             "data":{"object":{"id":"int_hkdmzpxvg0h3gqkqhv1","amount":10.5,"currency":"USD","status":"SUCCEEDED"}},
             "created_at":"{{{{Time}}}}","version":"2026-02-27"}
            """),
        [typeof(CreateWebhookRequest)] = () => Parse($$$$"""
            {"url":"https://example.com/webhooks/airwallex","events":["payment_intent.succeeded","refund.failed"],
             "description":"Payments service","account_id":"{{{{AccountId}}}}"}
            """),
        [typeof(UpdateWebhookRequest)] = () => Parse("""{"status":"DISABLED"}"""),
        [typeof(WebhookResponse)] = () => Parse($$$$"""
            {"id":"{{{{WebhookId}}}}","account_id":"{{{{AccountId}}}}","url":"https://example.com/webhooks/airwallex",
             "events":["payment_intent.succeeded","refund.failed"],"all_events":false,"status":"ENABLED","description":"Payments service",
             "created_at":"{{{{Time}}}}","updated_at":"{{{{Time}}}}","has_secret":true}
            """),
        [typeof(RotateSecretRequest)] = () => Parse("""{"activate_after_seconds":86400}"""),
        [typeof(RotateSecretResponse)] = () => Parse($$$$"""{"id":"{{{{WebhookId}}}}","secret":"whsec_3q2-7wQfX0b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6r","activates_at":"2026-05-21T13:54:20+0000"}"""),
        [typeof(TestWebhookRequest)] = () => Parse("""{"name":"dispute.won"}"""),
        [typeof(TestDeliveryResponse)] = () => Parse("""{"event_id":"evt_test_Zm9vYmFyYmF6cXV4MTIzNA","name":"dispute.won","success":true,"status_code":200,"duration_ms":42,"response_body":"ok"}"""),
        [typeof(RetriggerRequest)] = () => Parse($$$$"""{"ids":["{{{{DeliveryId}}}}"]}"""),
        [typeof(DeliveryResponse)] = () => Parse($$$$"""
            {"id":"{{{{DeliveryId}}}}","event_id":"{{{{EventId}}}}","event_name":"payment_intent.succeeded","webhook_id":"{{{{WebhookId}}}}",
             "account_id":"{{{{AccountId}}}}","status":"queued","attempt_count":1,"next_attempt_at":"2026-05-20T13:54:26+0000","retriggered":false,
             "last_status_code":500,"created_at":"{{{{Time}}}}","updated_at":"{{{{Time}}}}",
             "attempts":[{"number":1,"started_at":"{{{{Time}}}}","duration_ms":38,"status_code":500,"response_body":"upstream unavailable"}]}
            """),
        [typeof(CreateConnectionRequest)] = () => Parse($$$$"""{"app_id":"{{{{AppId}}}}","account_id":"{{{{AccountId}}}}"}"""),
        [typeof(ConnectionResponse)] = () => Parse($$$$"""{"account_id":"{{{{AccountId}}}}","app_id":"{{{{AppId}}}}","app_name":"Ledger Sync","status":"ACTIVE","created_at":"{{{{Time}}}}","updated_at":"{{{{Time}}}}"}"""),
        [typeof(DisconnectRequestBody)] = () => Parse($$$$"""{"app_id":"{{{{AppId}}}}","account_ids":["{{{{AccountId}}}}"]}"""),
        [typeof(DisconnectResponse)] = () => Parse($$$$"""
            {"app_id":"{{{{AppId}}}}","account_ids":["{{{{AccountId}}}}"],"event_id":"{{{{EventId}}}}",
             "event":{"id":"{{{{EventId}}}}","name":"partner_connection.disconnected","app_id":"{{{{AppId}}}}",
                      "data":{"account_ids":["{{{{AccountId}}}}"],"reason":"user_initiated"},"created_at":"{{{{Time}}}}","version":"2026-02-27"}}
            """),
        [typeof(DeliveryStatsResponse)] = () => Parse($$$$"""
            {"from":"2026-05-20T13:00:00+0000","to":"2026-05-20T13:02:00+0000","bucket":"minute","webhook_id":"{{{{WebhookId}}}}",
             "summary":{"start":"2026-05-20T13:00:00+0000","attempts":12,"succeeded":10,"failed":1,"errored":1,"success_rate":0.8333,
                        "latency_ms":{"avg":48.2,"p50":31.5,"p95":240,"p99":248,"max":250}},
             "buckets":[
               {"start":"2026-05-20T13:00:00+0000","attempts":7,"succeeded":6,"failed":1,"errored":0,"success_rate":0.8571,"latency_ms":{"avg":40.1,"p50":30,"p95":95,"p99":99,"max":100}},
               {"start":"2026-05-20T13:01:00+0000","attempts":5,"succeeded":4,"failed":0,"errored":1,"success_rate":0.8,"latency_ms":{"avg":59.6,"p50":33,"p95":245,"p99":249,"max":250}}]}
            """),
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (Examples.TryGetValue(context.JsonTypeInfo.Type, out var example) && context.JsonPropertyInfo is null)
        {
            schema.Examples = [example()];
        }

        return Task.CompletedTask;
    }

    private static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
