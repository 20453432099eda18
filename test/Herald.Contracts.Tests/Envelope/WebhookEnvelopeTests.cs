using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Events;
using Herald.Contracts.Samples;
using Herald.Contracts.Tests.Json;
using Herald.Testing;

namespace Herald.Contracts.Tests.Envelope;

public sealed class WebhookEnvelopeTests
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);

    // Text fields JavaScript must write back unchanged: literal non-ASCII, U+2028, a control that JSON escapes.
    private const string AwkwardAccount = "acct_é中😀\u2028\u0001\"";

    private static readonly Lazy<Dictionary<string, (byte[] Herald, byte[]? Node)>> SampleEnvelopes = new(() =>
    {
        var envelopes = EventCatalog.All.ToDictionary(
            t => t.Name,
            t => t.IsPartnerLevel
                ? WebhookEnvelope.Serialize("evt_1", t.Name, null, "appid_1", EventSamples.GetData(t.Name).Span, CreatedAt, "2026-02-27")
                : WebhookEnvelope.Serialize("evt_1", t.Name, AwkwardAccount, null, EventSamples.GetData(t.Name).Span, CreatedAt, "2026-02-27"),
            StringComparer.Ordinal);
        var node = NodeJson.RoundTrip([.. envelopes.Values]);
        return envelopes.Keys.Zip(node).ToDictionary(p => p.First, p => (envelopes[p.First], p.Second), StringComparer.Ordinal);
    });

    public static TheoryData<string> Names => [.. EventCatalog.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Serialize_of_every_sample_envelope_is_what_JSON_stringify_gives_back(string name)
    {
        var (herald, node) = SampleEnvelopes.Value[name];

        Assert.NotNull(node);
        CanonicalJsonNodeTests.AssertSameBytes(node, herald);
    }

    [Fact]
    public void Serialize_writes_text_fields_as_literal_utf8_escaping_only_what_JSON_requires()
    {
        var bytes = WebhookEnvelope.Serialize("evt_1", "customer.created", AwkwardAccount, null, "{}"u8, CreatedAt, null);

        Assert.Equal("{\"id\":\"evt_1\",\"name\":\"customer.created\",\"account_id\":\"acct_é中😀\u2028\\u0001\\\"\",\"data\":{},\"created_at\":\"2026-05-20T13:54:20+0000\"}", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Serialize_refuses_a_text_field_holding_a_lone_surrogate()
    {
        var error = Assert.Throws<ArgumentException>(() => WebhookEnvelope.Serialize("evt_\ud800", "customer.created", "acct_1", null, "{}"u8, CreatedAt, null));

        Assert.Equal("id", error.ParamName);
    }

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
