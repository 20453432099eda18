using System.Text;
using Herald.Contracts.Envelope;

namespace Herald.Contracts.Tests.Envelope;

public sealed class WebhookEnvelopeTests
{
    [Fact]
    public void Serialize_writes_account_envelope_fields_in_contract_order()
    {
        var bytes = WebhookEnvelope.Serialize(
            "evt_1", "payment_intent.succeeded", "acct_1", null, "{\"object\":{\"id\":\"int_1\"}}"u8,
            new DateTimeOffset(2026, 5, 20, 13, 54, 20, 987, TimeSpan.Zero), "2026-02-27");

        Assert.Equal(
            "{\"id\":\"evt_1\",\"name\":\"payment_intent.succeeded\",\"account_id\":\"acct_1\",\"data\":{\"object\":{\"id\":\"int_1\"}},\"created_at\":\"2026-05-20T13:54:20+0000\",\"version\":\"2026-02-27\"}",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Serialize_reproduces_the_seed_partner_event_byte_for_byte()
    {
        const string seed = "{\"id\":\"afc52587-8eac-4c3c-b9eb-b48e904e672f\",\"name\":\"partner_connection.disconnected\",\"app_id\":\"appid_YShMHGlexW8P3ElndQ9H\",\"data\":{\"account_ids\":[\"acct_yETjCx7GPIqDcnp2fYkSww\",\"acct_grlXIezYOl2EzrBpPuxbXg\"],\"org_id\":\"org_8VxyrkWuSvKe-Yq2NqJ-4Q\",\"reason\":\"user_initiated\"},\"created_at\":\"2026-05-20T13:54:20+0000\",\"version\":\"2026-02-27\"}";

        var bytes = WebhookEnvelope.Serialize(
            "afc52587-8eac-4c3c-b9eb-b48e904e672f", "partner_connection.disconnected", null, "appid_YShMHGlexW8P3ElndQ9H",
            "{\"account_ids\":[\"acct_yETjCx7GPIqDcnp2fYkSww\",\"acct_grlXIezYOl2EzrBpPuxbXg\"],\"org_id\":\"org_8VxyrkWuSvKe-Yq2NqJ-4Q\",\"reason\":\"user_initiated\"}"u8,
            new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero), "2026-02-27");

        Assert.Equal(seed, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Serialize_rejects_data_that_is_not_json()
    {
        Assert.ThrowsAny<Exception>(() => WebhookEnvelope.Serialize("evt_1", "customer.created", "acct_1", null, "{not json"u8, DateTimeOffset.UnixEpoch, null));
    }

    [Theory]
    [InlineData("2026-05-20T13:54:20+0000", "2026-05-20T13:54:20+0000")]
    [InlineData("2026-05-20T13:54:20Z", "2026-05-20T13:54:20+0000")]
    [InlineData("2026-05-20T15:54:20.750+02:00", "2026-05-20T13:54:20+0000")]
    [InlineData("2026-05-20T08:54:20-0500", "2026-05-20T13:54:20+0000")]
    public void TryParse_accepts_iso_8601_instants_and_formats_them_in_envelope_form(string input, string expected)
    {
        Assert.True(WebhookTimestamps.TryParse(input, out var instant));
        Assert.Equal(expected, WebhookTimestamps.FormatCreatedAt(instant));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-05-20")]
    [InlineData("2026-05-20T13:54:20")]
    [InlineData("2026-13-20T13:54:20Z")]
    public void TryParse_rejects_text_that_is_not_an_instant_with_an_offset(string input)
    {
        Assert.False(WebhookTimestamps.TryParse(input, out _));
    }
}
