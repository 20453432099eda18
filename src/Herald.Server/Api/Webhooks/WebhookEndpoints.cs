using System.Security.Claims;
using Herald.Core.Events;
using Herald.Core.Webhooks;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api.Webhooks;

/// <summary>
/// Webhook routes, the same on both APIs: an account's (API keys, <c>/api/v1/webhooks</c>) and a partner app's own
/// (Basic credentials, <c>/partner-api/v1/webhooks</c>). The caller decides whose webhooks they are.
/// </summary>
internal static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api, string policy)
    {
        var webhooks = api.MapGroup("/webhooks").RequireAuthorization(policy).WithTags(policy == HeraldPolicies.Partner ? "Partner" : "Webhooks").ProducesApiErrors();
        webhooks.MapPost("/create", CreateAsync).WithSummary("Create a webhook (the answer shows its secret, once)");
        webhooks.MapGet("/", ListAsync).WithSummary("List webhooks");
        webhooks.MapGet("/{id}", GetAsync).WithSummary("Get one webhook");
        webhooks.MapPost("/{id}/update", UpdateAsync).WithSummary("Change url, events, description or status (ENABLED/DISABLED)");
        webhooks.MapPost("/{id}/delete", DeleteAsync).WithSummary("Delete a webhook (its log stays readable)");
        webhooks.MapPost("/{id}/rotate_secret", RotateSecretAsync).WithSummary("Make a new secret; the old one signs until it activates");
        webhooks.MapPost("/{id}/test", TestAsync).WithSummary("Send one signed sample of an event type now");
        return api;
    }

    private static async Task<Created<WebhookResponse>> CreateAsync(CreateWebhookRequest body, ClaimsPrincipal user, WebhookService webhooks, HttpContext context, CancellationToken cancellationToken)
    {
        var webhook = await webhooks.CreateAsync(user.ToCaller(), new WebhookDraft(body.Url, body.Events, body.AllEvents, body.Secret, body.Description, body.AccountId), cancellationToken);
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path.Value![..^"/create".Length]}/{webhook.Id}", WebhookResponse.From(webhook, includeSecret: true));
    }

    private static async Task<Ok<ListResponse<WebhookResponse>>> ListAsync(
        [AsParameters] PageQuery paging, [FromQuery(Name = "account_id")] string? accountId, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var page = await webhooks.ListAsync(user.ToCaller(), string.IsNullOrEmpty(accountId) ? null : accountId, paging.ToPage(), cancellationToken);
        return TypedResults.Ok(ListResponse<WebhookResponse>.From(page, w => WebhookResponse.From(w)));
    }

    private static async Task<Ok<WebhookResponse>> GetAsync(string id, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(WebhookResponse.From(await webhooks.GetAsync(user.ToCaller(), id, cancellationToken)));

    private static async Task<Ok<WebhookResponse>> UpdateAsync(string id, UpdateWebhookRequest body, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var changes = new WebhookChanges(body.Url, body.Events, body.AllEvents, body.Description, body.Status);
        return TypedResults.Ok(WebhookResponse.From(await webhooks.UpdateAsync(user.ToCaller(), id, changes, cancellationToken)));
    }

    private static async Task<Ok<WebhookResponse>> DeleteAsync(string id, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(WebhookResponse.From(await webhooks.DeleteAsync(user.ToCaller(), id, cancellationToken)));

    private static async Task<Ok<RotateSecretResponse>> RotateSecretAsync(
        string id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] RotateSecretRequest? body,
        ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(RotateSecretResponse.From(await webhooks.RotateSecretAsync(user.ToCaller(), id, body?.ActivateAfterSeconds, cancellationToken)));

    private static async Task<Ok<TestDeliveryResponse>> TestAsync(string id, TestWebhookRequest body, ClaimsPrincipal user, WebhookTester tester, CancellationToken cancellationToken) =>
        TypedResults.Ok(TestDeliveryResponse.From(await tester.TestAsync(user.ToCaller(), id, body.Name, cancellationToken)));
}
