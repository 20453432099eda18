using Herald.Core.Webhooks;

namespace Herald.Core.Tests.Webhooks;

public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("not a url", true)]
    [InlineData("ftp://example.com/x", true)]
    [InlineData("https://user:pw@example.com/x", true)]
    [InlineData("https://example.com/x#frag", true)]
    [InlineData("http://example.com/x", true)]
    [InlineData("http://example.com/x", false)]
    [InlineData("https://example.com/x?a=1", true)]
    public void Urls_must_be_absolute_http_or_https_without_credentials_or_fragment(string? url, bool requireHttps)
    {
        var valid = url is "https://example.com/x?a=1" || (url is "http://example.com/x" && !requireHttps);

        var exception = Record.Exception(() => WebhookRules.ValidateUrl(url, requireHttps));

        Assert.Equal(valid, exception is null);
        if (exception is not null)
        {
            Assert.Equal("url", Assert.IsType<HeraldException>(exception).Field);
        }
    }

    [Fact]
    public void A_subscription_is_either_a_list_of_catalog_names_or_all_events()
    {
        var (events, allEvents) = WebhookRules.ValidateSubscription(["refund.failed", "refund.failed"], null, isAppWebhook: false);
        Assert.Equal(["refund.failed"], events);
        Assert.False(allEvents);
        (events, allEvents) = WebhookRules.ValidateSubscription(null, true, isAppWebhook: false);
        Assert.Empty(events);
        Assert.True(allEvents);
        Assert.Equal("events", Assert.Throws<HeraldException>(() => WebhookRules.ValidateSubscription(["refund.failed"], true, false)).Field);
        Assert.Equal("events", Assert.Throws<HeraldException>(() => WebhookRules.ValidateSubscription([], null, false)).Field);
        Assert.Equal("events[1]", Assert.Throws<HeraldException>(() => WebhookRules.ValidateSubscription(["refund.failed", "refund.exploded"], null, false)).Field);
        Assert.Equal("events[0]", Assert.Throws<HeraldException>(() => WebhookRules.ValidateSubscription(["partner_connection.disconnected"], null, false)).Field);
        Assert.Equal(["partner_connection.disconnected"], WebhookRules.ValidateSubscription(["partner_connection.disconnected"], null, isAppWebhook: true).Events);
    }

    [Fact]
    public void A_missing_secret_is_made_an_empty_one_means_unsigned_and_a_short_one_is_refused()
    {
        Assert.StartsWith("whsec_", WebhookRules.ValidateSecret(null), StringComparison.Ordinal);
        Assert.NotEqual(WebhookRules.ValidateSecret(null), WebhookRules.ValidateSecret(null));
        Assert.Null(WebhookRules.ValidateSecret(string.Empty));
        Assert.Equal("whsec_mine_123", WebhookRules.ValidateSecret("whsec_mine_123"));
        Assert.Throws<HeraldException>(() => WebhookRules.ValidateSecret("short"));
        Assert.Throws<HeraldException>(() => WebhookRules.ValidateSecret("has a space in it"));
    }

    [Fact]
    public void The_next_secret_signs_from_its_activation_on()
    {
        var webhook = new Webhook { Id = "wh_1", Url = "https://example.com", Status = WebhookStatus.Enabled, Secret = "whsec_old", NextSecret = "whsec_new", NextSecretAt = 1000 };

        Assert.Equal("whsec_old", webhook.SigningSecret(999));
        Assert.Equal("whsec_new", webhook.SigningSecret(1000));
    }
}
