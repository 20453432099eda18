using System.Text;
using Herald.Contracts.Events;
using Herald.Receiver.Events;
using Herald.Receiver.Tests.Support;

namespace Herald.Receiver.Tests.Events;

public sealed class WebhookEventParsingTests
{
    public static TheoryData<string> CatalogNames => [.. EventCatalog.All.Select(type => type.Name)];

    private static string PascalCase(string name) =>
        string.Concat(name.Split('.', '_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    [Theory]
    [MemberData(nameof(CatalogNames))]
    public void Every_catalog_sample_parses_into_its_own_typed_event(string name)
    {
        var body = Support.Events.Sample(name, "evt_sample_1");

        var webhookEvent = HeraldWebhook.ParseEvent(body);

        Assert.Equal(PascalCase(name), webhookEvent.GetType().Name);
        Assert.Equal(name, webhookEvent.Name);
        Assert.Equal("evt_sample_1", webhookEvent.Id);
        Assert.Equal(Support.Events.CreatedAt, webhookEvent.CreatedAt);
        Assert.Equal("2026-02-27", webhookEvent.Version);
        Assert.True(body.AsSpan().SequenceEqual(webhookEvent.RawJson.Span));
        if (webhookEvent is PartnerConnectionDisconnected partner)
        {
            Assert.NotEmpty(partner.AccountIds);
            Assert.Equal("appid_test", partner.AppId);
        }
        else
        {
            Assert.Equal("acct_test", webhookEvent.AccountId);
            Assert.False(string.IsNullOrEmpty(webhookEvent.ObjectId), $"{name}: the sample's data.object has no id");
        }
    }

    [Fact]
    public void Every_catalog_name_has_a_distinct_type()
    {
        var types = EventCatalog.All.Select(type => HeraldWebhook.ParseEvent(Support.Events.Envelope(type.Name, data: "{}")).GetType()).ToList();

        Assert.Equal(EventCatalog.All.Count, types.Distinct().Count());
        Assert.DoesNotContain(typeof(UnknownWebhookEvent), types);
    }

    [Fact]
    public void Typed_fields_of_a_payment_intent_are_read_from_snake_case()
    {
        var body = Support.Events.Envelope(
            "payment_intent.succeeded",
            data: """{"object":{"id":"int_hkdm","amount":"10.50","currency":"USD","status":"SUCCEEDED","merchant_order_id":"order_1","captured_amount":10.5,"metadata":{"k":"v"},"extra_field":42}}""");

        var intent = Assert.IsType<PaymentIntentSucceeded>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("int_hkdm", intent.Object.Id);
        Assert.Equal(10.50m, intent.Object.Amount);
        Assert.Equal(10.5m, intent.Object.CapturedAmount);
        Assert.Equal("USD", intent.Object.Currency);
        Assert.Equal("SUCCEEDED", intent.Object.Status);
        Assert.Equal("order_1", intent.Object.MerchantOrderId);
        Assert.Equal("v", intent.Object.Metadata!.Value.GetProperty("k").GetString());
        Assert.Equal(42, intent.Object.AdditionalProperties!["extra_field"].GetInt32());
        Assert.Equal("int_hkdm", intent.ObjectJson.GetProperty("id").GetString());
        Assert.Null(intent.Error);
    }

    [Fact]
    public void AccountId_in_camel_case_and_data_without_object_are_accepted()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_camel","name":"refund.succeeded","accountId":"acct_camel","data":{"id":"rfd_1","amount":5,"status":"SUCCEEDED"},"created_at":"2019-10-22T01:54:09+0000"}""");

        var refund = Assert.IsType<RefundSucceeded>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("acct_camel", refund.AccountId);
        Assert.Equal("rfd_1", refund.Object.Id);
        Assert.Equal(5m, refund.Object.Amount);
        Assert.Equal(new DateTimeOffset(2019, 10, 22, 1, 54, 9, TimeSpan.Zero), refund.CreatedAt);
    }

    [Fact]
    public void A_status_sent_as_a_number_is_read_as_text()
    {
        var body = Support.Events.Envelope("customer.updated", data: """{"object":{"id":"cus_1","status":3,"email":"a@example.com"}}""");

        var customer = Assert.IsType<CustomerUpdated>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("3", customer.Object.Status);
        Assert.Equal("a@example.com", customer.Object.Email);
    }

    [Fact]
    public void The_error_object_keeps_its_four_fields()
    {
        var declined = Support.Events.Envelope(
            "payment_attempt.authorization_failed",
            data: """{"object":{"id":"att_1"},"error":{"code":"issuer_declined","message":"The issuer declined this transaction.","provider_original_response_code":"01"}}""");
        var validation = Support.Events.Envelope(
            "payment_intent.requires_payment_method",
            data: """{"object":{"id":"int_1"},"error":{"code":"validation_error","source":"merchant_order_id","message":"merchant_order_id must be provided."}}""");

        var attempt = Assert.IsType<PaymentAttemptAuthorizationFailed>(HeraldWebhook.ParseEvent(declined));
        var intent = Assert.IsType<PaymentIntentRequiresPaymentMethod>(HeraldWebhook.ParseEvent(validation));

        Assert.Equal("issuer_declined", attempt.Error!.Code);
        Assert.Equal("The issuer declined this transaction.", attempt.Error.Message);
        Assert.Equal("01", attempt.Error.ProviderOriginalResponseCode);
        Assert.Null(attempt.Error.Source);
        Assert.Equal("validation_error", intent.Error!.Code);
        Assert.Equal("merchant_order_id", intent.Error.Source);
        Assert.Null(intent.Error.ProviderOriginalResponseCode);
    }

    [Theory]
    [InlineData(",\"org_id\":\"org_1\"", "org_1")]
    [InlineData("", null)]
    [InlineData(",\"org_id\":null", null)]
    [InlineData(",\"org_id\":\"\"", null)]
    public void Org_id_absent_null_or_empty_all_mean_no_organization(string orgMember, string? expected)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":"evt_p","name":"partner_connection.disconnected","app_id":"appid_1","data":{"account_ids":["acct_1","acct_2"]{{orgMember}},"reason":"user_initiated"},"created_at":"2026-05-20T13:54:20+0000"}""");

        var partner = Assert.IsType<PartnerConnectionDisconnected>(HeraldWebhook.ParseEvent(body));

        Assert.Equal(expected, partner.OrgId);
        Assert.Equal(["acct_1", "acct_2"], partner.AccountIds);
        Assert.Equal("user_initiated", partner.Reason);
        Assert.Equal("appid_1", partner.AppId);
        Assert.Null(partner.AccountId);
    }

    [Fact]
    public void An_unknown_event_name_keeps_the_raw_json()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_new","name":"payout.created","account_id":"acct_1","data":{"object":{"id":"po_1","x":[1,2]}},"created_at":"2026-05-20T13:54:20+0000"}""");

        var unknown = Assert.IsType<UnknownWebhookEvent>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("payout.created", unknown.Name);
        Assert.Equal("acct_1", unknown.AccountId);
        Assert.Equal(body, unknown.RawJson.ToArray());
        Assert.Equal(2, unknown.Data.GetProperty("object").GetProperty("x").GetArrayLength());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"name\":\"customer.created\"}")]
    [InlineData("{\"id\":\"evt_1\"}")]
    public void A_body_that_is_not_an_envelope_is_a_format_error(string body)
    {
        Assert.Throws<FormatException>(() => HeraldWebhook.ParseEvent(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_resource_with_fields_of_the_wrong_type_is_a_format_error_when_read()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\",\"name\":\"refund.succeeded\",\"data\":{\"object\":{\"id\":\"rfd_1\",\"amount\":\"lots\"}}}");

        var refund = Assert.IsType<RefundSucceeded>(HeraldWebhook.ParseEvent(body));

        Assert.Equal("rfd_1", refund.ObjectId);
        var exception = Assert.Throws<FormatException>(() => refund.Object);
        Assert.Contains("evt_1", exception.Message);
    }

    [Fact]
    public void A_missing_or_unreadable_created_at_is_null_rather_than_an_error()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_1","name":"customer.created","data":{"object":{"id":"cus_1"}},"created_at":"yesterday"}""");

        Assert.Null(HeraldWebhook.ParseEvent(body).CreatedAt);
    }
}
