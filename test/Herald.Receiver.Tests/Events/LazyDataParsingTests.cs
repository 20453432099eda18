using System.Text;
using System.Text.Json;
using Herald.Receiver.Events;

namespace Herald.Receiver.Tests.Events;

/// <summary>
/// Parsing reads the envelope's top-level fields and only locates <c>data</c>; <c>Data</c>, <c>ObjectJson</c>,
/// <c>Object</c>, <c>Error</c> and the partner fields are read on first access. A malformed envelope fails when the
/// event is built; a <c>data</c> that is balanced but not valid JSON fails (FormatException) on first access.
/// </summary>
public sealed class LazyDataParsingTests
{
    private const string Secret = "whsec_lazy_parsing_test_secret";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Members_after_data_and_in_any_order_are_read()
    {
        var body = Utf8("""{"data":{"object":{"id":"int_1","status":"SUCCEEDED"}},"version":"2026-02-27","created_at":"2026-05-20T13:54:20+0000","account_id":"acct_1","name":"payment_intent.succeeded","id":"evt_after"}""");

        var intent = Assert.IsType<PaymentIntentSucceeded>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("evt_after", intent.Id);
        Assert.Equal("acct_1", intent.AccountId);
        Assert.Equal("2026-02-27", intent.Version);
        Assert.Equal(Support.Events.CreatedAt, intent.CreatedAt);
        Assert.Equal("int_1", intent.ObjectId);
        Assert.Equal("SUCCEEDED", intent.Object.Status);
    }

    [Fact]
    public void Snake_case_wins_over_camel_case_in_either_order_and_a_repeated_member_keeps_the_last_value()
    {
        var body = Utf8("""{"accountId":"acct_camel","id":"evt_first","name":"customer.created","account_id":"acct_snake","appId":"app_camel","data":{"object":{"id":"cus_old"}},"id":"evt_last","data":{"object":{"id":"cus_new"}}}""");

        var created = HeraldWebhook.ParseEvent(body);

        Assert.Equal("acct_snake", created.AccountId);
        Assert.Equal("app_camel", created.AppId);
        Assert.Equal("evt_last", created.Id);
        Assert.Equal("cus_new", created.ObjectId);
        Assert.Equal("cus_new", created.Data.GetProperty("object").GetProperty("id").GetString());
    }

    [Fact]
    public void Other_top_level_objects_comments_whitespace_and_escaped_names_are_handled()
    {
        var body = Utf8("{ \"meta\" : { \"a\" : [1, {\"b\": \"}]\"}] } , \"\\u0069d\" : \"evt_esc\", /* note */ \"name\":\"refund.failed\",\n\t\"data\" :\r\n /* before */ {\"object\":{\"id\":\"rfd_1\"},\"error\":{\"code\":\"c\",\"message\":\"m\"}} // after\n , \"tail\":[[]]}");

        var refund = Assert.IsType<RefundFailed>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("evt_esc", refund.Id);
        Assert.Equal("rfd_1", refund.Object.Id);
        Assert.Equal("c", refund.Error!.Code);
    }

    [Theory]
    [InlineData("null", JsonValueKind.Null)]
    [InlineData("\"text\"", JsonValueKind.String)]
    [InlineData("12.5", JsonValueKind.Number)]
    [InlineData("[1,{\"x\":\"]\"}]", JsonValueKind.Array)]
    public void A_data_that_is_not_an_object_is_kept_and_has_no_resource(string data, JsonValueKind kind)
    {
        var refund = Assert.IsType<RefundSucceeded>(HeraldWebhook.ParseEvent(Utf8($$"""{"id":"evt_1","name":"refund.succeeded","data":{{data}}}""")));

        Assert.Equal(kind, refund.Data.ValueKind);
        Assert.Equal(data, refund.Data.GetRawText());
        Assert.Equal(JsonValueKind.Undefined, refund.ObjectJson.ValueKind);
        Assert.Null(refund.ObjectId);
        Assert.Null(refund.Object.Id);
        Assert.Null(refund.Error);
    }

    [Fact]
    public void An_absent_data_is_undefined_and_reads_as_empty()
    {
        var partner = Assert.IsType<PartnerConnectionDisconnected>(HeraldWebhook.ParseEvent(Utf8("""{"id":"evt_1","name":"partner_connection.disconnected"}""")));

        Assert.Equal(JsonValueKind.Undefined, partner.Data.ValueKind);
        Assert.Empty(partner.AccountIds);
        Assert.Null(partner.OrgId);
    }

    [Theory]
    [InlineData("""{"object":{"id":"rfd_1",}x}""")]
    [InlineData("""{"object":{"id":"rfd_1"]}""")]
    [InlineData("""{"object":{"id":rfd_1}}""")]
    [InlineData("""[{"id":"rfd_1"}""" + "}")]
    public void A_balanced_but_invalid_data_builds_the_event_and_throws_on_first_access(string data)
    {
        var body = Utf8($$"""{"id":"evt_bad","name":"refund.succeeded","account_id":"acct_1","data":{{data}}}""");
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body);

        var refund = Assert.IsType<RefundSucceeded>(HeraldWebhook.ConstructEvent(body, headers.Timestamp, headers.Signature, Secret));

        Assert.Equal("evt_bad", refund.Id);
        Assert.Equal("acct_1", refund.AccountId);
        Assert.Equal(body, refund.RawJson.ToArray());
        var exception = Assert.Throws<FormatException>(() => refund.Data);
        Assert.Contains("evt_bad", exception.Message);
        Assert.Contains("not valid JSON", exception.Message);
        Assert.Throws<FormatException>(() => refund.ObjectJson);
        Assert.Throws<FormatException>(() => refund.Object);
        Assert.Throws<FormatException>(() => refund.Error);
        Assert.Throws<FormatException>(() => refund.ObjectId);
        Assert.Throws<FormatException>(() => refund.Materialize());
    }

    [Fact]
    public void Invalid_partner_data_throws_on_first_access_of_its_fields()
    {
        var partner = Assert.IsType<PartnerConnectionDisconnected>(HeraldWebhook.ParseEvent(Utf8("""{"id":"evt_p","name":"partner_connection.disconnected","data":{"account_ids":["a" "b"]}}""")));

        Assert.Throws<FormatException>(() => partner.AccountIds);
        Assert.Throws<FormatException>(() => partner.OrgId);
    }

    [Theory]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{"object":{"id":"rfd_1"}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{"object":"}"}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{"a":1} "version":"v"}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{"a":1},x}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{"a":1}]""")]
    [InlineData("""{"id":"evt_1" "name":"refund.succeeded","data":{}}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{}""")]
    [InlineData("""{"name":"refund.succeeded","data":{"id":"evt_1"}}""")]
    [InlineData("""{"id":"evt_1","data":{"name":"refund.succeeded"}}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":}""")]
    [InlineData("""{"id":"evt_1","name":"refund.succeeded","data":{}""" + "\"\\}")]
    [InlineData("{}")]
    [InlineData("")]
    [InlineData("\"evt\"")]
    public void A_malformed_envelope_fails_when_the_event_is_constructed(string text)
    {
        var body = Utf8(text);
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body);

        Assert.Throws<FormatException>(() => HeraldWebhook.ConstructEvent(body, headers.Timestamp, headers.Signature, Secret));
    }

    [Fact]
    public void The_signature_is_checked_before_anything_is_parsed()
    {
        var body = Utf8("""{"id":"evt_1","name":"refund.succeeded","data":{"object":""");
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, Utf8("{}"));

        var exception = Assert.Throws<WebhookVerificationException>(() => HeraldWebhook.ConstructEvent(body, headers.Timestamp, headers.Signature, Secret));

        Assert.Equal(WebhookVerificationStatus.SignatureMismatch, exception.Status);
    }

    [Fact]
    public void Concurrent_first_accesses_see_one_consistent_view()
    {
        var body = Support.Events.Envelope("refund.succeeded", "evt_race", """{"object":{"id":"rfd_race","amount":5},"error":{"code":"c","message":"m"}}""");

        for (var round = 0; round < 20; round++)
        {
            var refund = Assert.IsType<RefundSucceeded>(HeraldWebhook.ParseEvent(body));
            var ids = new string?[8];
            Parallel.For(0, ids.Length, i => ids[i] = refund.ObjectJson.GetProperty("id").GetString() + refund.Object.Id + refund.Error!.Code);
            Assert.All(ids, id => Assert.Equal("rfd_racerfd_racec", id));
        }
    }

    [Fact]
    public void The_container_scan_agrees_with_the_json_reader_on_generated_data()
    {
        // Strings full of brackets, quotes and escapes, of every length around the 32-byte blocks.
        var random = new Random(20260520);
        string[] pieces = ["{", "}", "[", "]", "\\\"", "\\\\", "\\n", "\\u005d", "x", "é", "€", "\\/", " ", ",", ":"];
        for (var round = 0; round < 2000; round++)
        {
            var json = Generate(random, pieces, depth: 0);
            var bytes = Utf8("  " + json + " , \"after\":1");
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            reader.Skip();
            var expected = (int)reader.BytesConsumed;

            Assert.Equal(expected, JsonScan.FindContainerEnd(bytes, 2));
            Assert.Equal(-1, JsonScan.FindContainerEnd(bytes.AsSpan(0, expected - 1), 2));
        }
    }

    private static string Generate(Random random, string[] pieces, int depth)
    {
        var builder = new StringBuilder();
        var isObject = random.Next(2) == 0;
        builder.Append(isObject ? '{' : '[');
        var count = random.Next(depth > 3 ? 2 : 6);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            if (isObject)
            {
                builder.Append('"').Append(RandomString(random, pieces)).Append("\":");
            }

            builder.Append(random.Next(4) switch
            {
                0 when depth < 6 => Generate(random, pieces, depth + 1),
                1 => random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                2 => "null",
                _ => "\"" + RandomString(random, pieces) + "\"",
            });
        }

        return builder.Append(isObject ? '}' : ']').ToString();
    }

    private static string RandomString(Random random, string[] pieces)
    {
        var builder = new StringBuilder();
        var length = random.Next(70);
        for (var i = 0; i < length; i++)
        {
            builder.Append(pieces[random.Next(pieces.Length)]);
        }

        return builder.ToString();
    }
}

public sealed class CreatedAtParsingTests
{
    [Theory]
    [InlineData("2026-05-20T13:54:20+0000")]
    [InlineData("2026-05-20T13:54:20Z")]
    [InlineData("2026-05-20T13:54:20+00:00")]
    [InlineData("2024-02-29T23:59:59-0930")]
    [InlineData("2026-12-31T23:30:00+14:00")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-05-20T24:00:00Z")]
    [InlineData("2026-05-20T13:54:20.123+0000")]
    [InlineData("2026-05-20T13:54:20")]
    [InlineData("2026-05-20 13:54:20Z")]
    [InlineData("0001-01-01T00:30:00+0100")]
    [InlineData("2026-05-20T13:54:20+2500")]
    public void Created_at_is_read_from_the_envelope_exactly_as_the_contract_parses_it(string text)
    {
        var general = Herald.Contracts.Envelope.WebhookTimestamps.TryParse(text, out var expected) ? expected : (DateTimeOffset?)null;
        var body = Encoding.UTF8.GetBytes($$"""{"id":"evt_1","name":"customer.created","created_at":"{{text}}"}""");

        var parsed = HeraldWebhook.ParseEvent(body).CreatedAt;

        Assert.Equal(general, parsed);
        Assert.Equal(general?.Offset, parsed?.Offset);
        Assert.Equal(general, Herald.Contracts.Envelope.WebhookTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out var fromUtf8) ? fromUtf8 : null);
    }
}
