using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Herald.Contracts.Signing;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

public sealed partial class SignedDeliveryTests : ServerWithReceiverTest
{
    [GeneratedRegex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+0000$")]
    private static partial Regex CreatedAtFormat();

    [Fact]
    public async Task A_published_event_arrives_signed_with_the_contract_headers_and_the_exact_envelope()
    {
        var account = await Server.CreateAccountAsync();
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_intent.succeeded");
        var secret = webhook["secret"]!.GetValue<string>();

        var published = await Server.PublishAsync(account, id: "evt_e2e_1", dataJson: "{\"object\":{\"id\":\"int_1\",\"amount\":10.5,\"name\":\"Zürich Café ☕\"},\"error\":{\"code\":\"issuer_declined\",\"message\":\"Declined.\",\"provider_original_response_code\":\"05\"}}");
        var request = await Receiver.NextAsync();

        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json", request.Header("content-type"));
        Assert.Matches("^Herald/\\d+\\.\\d+\\.\\d+", request.Header("user-agent"));
        var timestamp = request.Header("x-timestamp")!;
        Assert.Equal(Server.Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        Assert.Equal(WebhookSignature.Sign(secret, timestamp, request.Body), request.Header("x-signature"));
        Assert.True(WebhookSignature.IsValid(secret, timestamp, request.Body, request.Header("x-signature")));

        // Field order, format and content exactly as the contract writes them; non-ASCII stays literal UTF-8.
        var expected = $"{{\"id\":\"evt_e2e_1\",\"name\":\"payment_intent.succeeded\",\"account_id\":\"{account}\",\"data\":{{\"object\":{{\"id\":\"int_1\",\"amount\":10.5,\"name\":\"Zürich Café ☕\"}},\"error\":{{\"code\":\"issuer_declined\",\"message\":\"Declined.\",\"provider_original_response_code\":\"05\"}}}},\"created_at\":\"2026-05-20T13:54:20+0000\",\"version\":\"2026-02-27\"}}";
        Assert.Equal(expected, request.BodyText);
        Assert.Equal(published.ToJsonString(), JsonNode.Parse(request.BodyText)!.ToJsonString());
        Assert.Matches(CreatedAtFormat(), JsonDocument.Parse(request.Body).RootElement.GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task A_webhook_created_with_an_empty_secret_receives_no_signature_header()
    {
        var account = await Server.CreateAccountAsync();
        await Server.PostAsync("/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account, ["url"] = Receiver.Url(), ["events"] = new JsonArray("refund.received"), ["secret"] = "",
        });

        await Server.PublishAsync(account, "refund.received");
        var request = await Receiver.NextAsync();

        Assert.NotNull(request.Header("x-timestamp"));
        Assert.Null(request.Header("x-signature"));
    }

    [Fact]
    public async Task An_event_fans_out_to_every_subscribed_enabled_webhook_and_to_no_other()
    {
        var account = await Server.CreateAccountAsync();
        var other = await Server.CreateAccountAsync("Other");
        await Server.CreateWebhookAsync(account, Receiver.Url("/subscribed"), "payment_intent.succeeded", "refund.failed");
        await Server.CreateWebhookAsync(account, Receiver.Url("/all"));
        await Server.CreateWebhookAsync(account, Receiver.Url("/unsubscribed"), "payment_intent.created");
        var disabled = await Server.CreateWebhookAsync(account, Receiver.Url("/disabled"), "payment_intent.succeeded");
        await Server.PostAsync($"/api/v1/webhooks/{disabled["id"]}/update", new JsonObject { ["status"] = "DISABLED" });
        var deleted = await Server.CreateWebhookAsync(account, Receiver.Url("/deleted"), "payment_intent.succeeded");
        await Server.PostAsync($"/api/v1/webhooks/{deleted["id"]}/delete", new JsonObject());
        await Server.CreateWebhookAsync(other, Receiver.Url("/other-account"), "payment_intent.succeeded");

        var published = await Server.PublishAsync(account, id: "evt_fanout");
        await Receiver.WaitUntilAsync(requests => requests.Count >= 2);
        var deliveries = await Server.DeliveriesAsync("?event_id=evt_fanout");
        await Server.WaitForIdleAsync(); // every delivery fan-out made has been attempted: a wrong extra one would be among them

        Assert.Equal(["/all", "/subscribed"], Receiver.Requests.Select(r => r.Path).Order());
        Assert.Equal(2, deliveries.Count);
        Assert.All(Receiver.Requests, r => Assert.Equal(published.ToJsonString(), System.Text.Json.Nodes.JsonNode.Parse(r.BodyText)!.ToJsonString()));
    }

    [Fact]
    public async Task The_same_body_bytes_go_to_every_endpoint_each_signed_with_its_own_secret()
    {
        var account = await Server.CreateAccountAsync();
        var first = await Server.CreateWebhookAsync(account, Receiver.Url("/a"), "customer.created");
        var second = await Server.CreateWebhookAsync(account, Receiver.Url("/b"), "customer.created");

        await Server.PublishAsync(account, "customer.created");
        await Receiver.WaitUntilAsync(requests => requests.Count == 2);

        var a = Receiver.Requests.Single(r => r.Path == "/a");
        var b = Receiver.Requests.Single(r => r.Path == "/b");
        Assert.Equal(a.Body, b.Body);
        Assert.True(WebhookSignature.IsValid(first["secret"]!.GetValue<string>(), a.Header("x-timestamp")!, a.Body, a.Header("x-signature")));
        Assert.True(WebhookSignature.IsValid(second["secret"]!.GetValue<string>(), b.Header("x-timestamp")!, b.Body, b.Header("x-signature")));
        Assert.NotEqual(a.Header("x-signature"), b.Header("x-signature"));
    }

    [Fact]
    public async Task A_rotated_secret_signs_only_after_it_activates()
    {
        var account = await Server.CreateAccountAsync();
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url(), "customer.updated");
        var oldSecret = webhook["secret"]!.GetValue<string>();
        var rotated = await Server.PostAsync($"/api/v1/webhooks/{webhook["id"]}/rotate_secret", new JsonObject { ["activate_after_seconds"] = 3600 });
        var newSecret = rotated["secret"]!.GetValue<string>();

        await Server.PublishAsync(account, "customer.updated", id: "evt_before");
        var before = await Receiver.NextAsync();
        Server.Advance(TimeSpan.FromHours(1));
        await Server.PublishAsync(account, "customer.updated", id: "evt_after");
        var after = await Receiver.NextAsync();

        Assert.NotEqual(oldSecret, newSecret);
        Assert.True(WebhookSignature.IsValid(oldSecret, before.Header("x-timestamp")!, before.Body, before.Header("x-signature")));
        Assert.True(WebhookSignature.IsValid(newSecret, after.Header("x-timestamp")!, after.Body, after.Header("x-signature")));
        Assert.False(WebhookSignature.IsValid(oldSecret, after.Header("x-timestamp")!, after.Body, after.Header("x-signature")));
    }

    [Fact]
    public async Task The_test_route_sends_a_realistic_signed_sample_without_storing_an_event()
    {
        var account = await Server.CreateAccountAsync();
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url(), "payment_attempt.authorization_failed");

        var result = await Server.PostAsync($"/api/v1/webhooks/{webhook["id"]}/test", new JsonObject { ["name"] = "dispute.won" });
        var request = await Receiver.NextAsync();
        var body = JsonDocument.Parse(request.Body).RootElement;

        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal(200, result["status_code"]!.GetValue<int>());
        Assert.Equal("dispute.won", body.GetProperty("name").GetString());
        Assert.Equal(account, body.GetProperty("account_id").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("data").GetProperty("object").GetProperty("id").GetString()));
        Assert.True(WebhookSignature.IsValid(webhook["secret"]!.GetValue<string>(), request.Header("x-timestamp")!, request.Body, request.Header("x-signature")));
        Assert.Empty((await Server.GetAsync("/api/v1/events"))["items"]!.AsArray());
        Assert.Empty(await Server.DeliveriesAsync());
    }
}
