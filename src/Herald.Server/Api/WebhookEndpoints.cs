using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Contracts.Samples;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Hosting;
using Herald.Server.Storage;
using Herald.Server.Webhooks;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>Account-level webhook endpoints: create, list, get, update, delete, rotate the secret, send a test.</summary>
internal static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").RequireAuthorization(HeraldPolicies.Tenant).WithTags("Webhooks");
        webhooks.MapPost("/create", CreateAsync);
        webhooks.MapGet("/", ListAsync);
        webhooks.MapGet("/{id}", GetAsync);
        webhooks.MapPost("/{id}/update", UpdateAsync);
        webhooks.MapPost("/{id}/delete", DeleteAsync);
        webhooks.MapPost("/{id}/rotate_secret", RotateSecretAsync);
        webhooks.MapPost("/{id}/test", TestAsync);
        return api;
    }

    /// <summary>The partner app's own webhooks: the same handlers, scoped to the app by its Basic credentials.</summary>
    public static RouteGroupBuilder MapPartnerWebhookEndpoints(this RouteGroupBuilder partnerApi)
    {
        var webhooks = partnerApi.MapGroup("/webhooks").RequireAuthorization(HeraldPolicies.Partner).WithTags("Partner");
        webhooks.MapPost("/create", CreateAsync);
        webhooks.MapGet("/", ListAsync);
        webhooks.MapGet("/{id}", GetAsync);
        webhooks.MapPost("/{id}/update", UpdateAsync);
        webhooks.MapPost("/{id}/delete", DeleteAsync);
        return partnerApi;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IHeraldStore store, TenantResolver tenants, TimeProvider time, IOptions<HeraldServerOptions> options)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.CreateWebhookRequest);
        var caller = context.GetCaller();
        string? accountId = null;
        if (caller.Kind != CallerKind.App)
        {
            accountId = (await tenants.ResolveAccountAsync(caller, body.AccountId, context.RequestAborted)).Id;
        }
        else if (body.AccountId is not null)
        {
            throw ApiException.Validation("account_id is not accepted here: a partner webhook receives the events of every account connected to the app.", "account_id");
        }

        var url = WebhookRules.ValidateUrl(body.Url, options.Value.Dev);
        var (eventList, allEvents) = WebhookRules.ValidateSubscription(body.Events, body.AllEvents, isAppWebhook: accountId is null);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var record = new WebhookRecord
        {
            Id = Ids.New(Ids.Webhook),
            AccountId = accountId,
            AppId = caller.AppId,
            Url = url,
            EventList = eventList,
            AllEvents = allEvents,
            Secret = WebhookRules.ValidateSecret(body.Secret),
            Status = WebhookStatus.Enabled,
            Description = WebhookRules.ValidateDescription(body.Description),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateWebhookAsync(record, context.RequestAborted);
        return TypedResults.Json(record.ToResponse(includeSecret: true), ApiJson.Context.WebhookResponse, statusCode: 201);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IHeraldStore store, TenantResolver tenants)
    {
        var scope = await tenants.ResolveScopeAsync(context.GetCaller(), Paging.Query(context.Request, "account_id"), context.RequestAborted);
        var page = await store.ListWebhooksAsync(scope, Paging.FromQuery(context.Request), context.RequestAborted);
        return TypedResults.Json(page.ToList(w => w.ToResponse()), ApiJson.Context.ListResponseWebhookResponse);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IHeraldStore store)
    {
        var webhook = await FindAsync(id, context, store);
        return TypedResults.Json(webhook.ToResponse(), ApiJson.Context.WebhookResponse);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, IHeraldStore store, TimeProvider time, IOptions<HeraldServerOptions> options)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.UpdateWebhookRequest);
        var webhook = await FindAsync(id, context, store);
        var updated = webhook with { UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
        if (body.Url is not null)
        {
            updated = updated with { Url = WebhookRules.ValidateUrl(body.Url, options.Value.Dev) };
        }

        if (body.Events is not null || body.AllEvents is not null)
        {
            var (eventList, allEvents) = WebhookRules.ValidateSubscription(body.Events, body.AllEvents, webhook.AppId is not null);
            updated = updated with { EventList = eventList, AllEvents = allEvents };
        }

        if (body.Description is not null)
        {
            updated = updated with { Description = WebhookRules.ValidateDescription(body.Description) };
        }

        updated = body.Status switch
        {
            null => updated,
            WebhookStatus.Enabled => updated with { Status = WebhookStatus.Enabled, DisabledReason = null },
            WebhookStatus.Disabled => updated with { Status = WebhookStatus.Disabled, DisabledReason = webhook.IsEnabled ? "disabled by user" : webhook.DisabledReason },
            _ => throw ApiException.Validation("status must be ENABLED or DISABLED.", "status"),
        };

        await store.UpdateWebhookAsync(updated, context.RequestAborted);
        return TypedResults.Json(updated.ToResponse(), ApiJson.Context.WebhookResponse);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IHeraldStore store, TimeProvider time)
    {
        var webhook = await FindAsync(id, context, store);
        await store.DeleteWebhookAsync(webhook.Id, context.GetCaller().Scope, time.GetUtcNow().ToUnixTimeMilliseconds(), context.RequestAborted);
        return TypedResults.Json(webhook.ToResponse() with { Status = WebhookStatus.Disabled, DisabledReason = "deleted" }, ApiJson.Context.WebhookResponse);
    }

    private static async Task<IResult> RotateSecretAsync(string id, HttpContext context, IHeraldStore store, TimeProvider time)
    {
        var body = context.Request.ContentLength is 0 ? new RotateSecretRequest(null) : await JsonBody.ReadAsync(context.Request, ApiJson.Context.RotateSecretRequest);
        var delaySeconds = body.ActivateAfterSeconds ?? (long)TimeSpan.FromHours(24).TotalSeconds;
        if (delaySeconds is < 0 or > 30 * 86_400)
        {
            throw ApiException.Validation("activate_after_seconds must be from 0 to 2592000 (30 days).", "activate_after_seconds");
        }

        var webhook = await FindAsync(id, context, store);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var current = webhook.SigningSecret(now);
        var next = WebhookRules.NewSecret();
        var activatesAt = now + (delaySeconds * 1000);
        var updated = current is null || delaySeconds == 0
            ? webhook with { Secret = next, NextSecret = null, NextSecretAt = null, UpdatedAt = now }
            : webhook with { Secret = current, NextSecret = next, NextSecretAt = activatesAt, UpdatedAt = now };
        await store.UpdateWebhookAsync(updated, context.RequestAborted);
        return TypedResults.Json(new RotateSecretResponse(webhook.Id, next, ApiMapper.Time(current is null ? now : activatesAt)), ApiJson.Context.RotateSecretResponse);
    }

    private static async Task<IResult> TestAsync(string id, HttpContext context, IHeraldStore store, WebhookSender sender, TimeProvider time, IOptions<HeraldServerOptions> options)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Context.TestWebhookRequest);
        if (string.IsNullOrEmpty(body.Name) || !EventCatalog.TryGet(body.Name, out var type))
        {
            throw ApiException.Validation($"name must be a catalog event name; GET /api/v1/event_types lists them.", "name");
        }

        var webhook = await FindAsync(id, context, store);
        var now = time.GetUtcNow();
        var eventId = Ids.New("evt_test");
        var envelope = WebhookEnvelope.Serialize(
            eventId, type.Name, type.IsPartnerLevel ? null : webhook.AccountId ?? "acct_test", type.IsPartnerLevel || webhook.AccountId is null ? webhook.AppId : null,
            EventSamples.GetData(type.Name).Span, now, options.Value.DefaultEventVersion);
        var result = await sender.SendAsync(webhook.Url, webhook.SigningSecret(now.ToUnixTimeMilliseconds()), envelope, context.RequestAborted);
        var success = result.StatusCode == 200 || (options.Value.Delivery.AcceptAny2xx && result.StatusCode is >= 200 and < 300);
        return TypedResults.Json(
            new TestDeliveryResponse(eventId, type.Name, success, result.StatusCode, (long)result.Duration.TotalMilliseconds, result.Error, result.ResponseBody),
            ApiJson.Context.TestDeliveryResponse);
    }

    private static async Task<WebhookRecord> FindAsync(string id, HttpContext context, IHeraldStore store) =>
        await store.GetWebhookAsync(id, context.GetCaller().Scope, context.RequestAborted)
        ?? throw ApiException.NotFound($"No webhook {id}.");
}
