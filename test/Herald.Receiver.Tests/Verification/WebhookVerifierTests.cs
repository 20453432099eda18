using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Contracts.Signing;
using Herald.Receiver.Events;
using Herald.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Verification;

public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_CEm2XM_JZ1x5FxUUEGcZoRgIz4RZfDE";

    public static TheoryData<SignatureVector> ValidVectors => [.. SignatureVectors.Valid];

    public static TheoryData<string, WebhookVerificationStatus> InvalidVectorOutcomes => new()
    {
        { "wrong-secret", WebhookVerificationStatus.SignatureMismatch },
        { "tampered-body", WebhookVerificationStatus.SignatureMismatch },
        { "tampered-timestamp", WebhookVerificationStatus.SignatureMismatch },
        { "truncated-signature", WebhookVerificationStatus.MalformedSignature },
        { "not-hex", WebhookVerificationStatus.MalformedSignature },
        { "empty-signature", WebhookVerificationStatus.MissingSignature },
        { "re-serialised-body", WebhookVerificationStatus.SignatureMismatch },
    };

    private static FakeTimeProvider ClockAt(string timestamp) =>
        new(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(timestamp, CultureInfo.InvariantCulture)));

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Every_valid_vector_verifies_at_its_own_time(SignatureVector vector)
    {
        var verifier = new WebhookVerifier([vector.Secret], timeProvider: ClockAt(vector.Timestamp));

        var result = verifier.Verify(vector.Timestamp, vector.Signature, Encoding.UTF8.GetBytes(vector.Body));

        Assert.Equal(WebhookVerificationStatus.Valid, result.Status);
        Assert.Equal(0, result.SecretIndex);
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void The_test_signing_helper_reproduces_every_valid_vector(SignatureVector vector)
    {
        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(vector.Timestamp, CultureInfo.InvariantCulture));

        var headers = HeraldWebhook.GenerateTestHeaders(vector.Secret, Encoding.UTF8.GetBytes(vector.Body), signedAt);

        Assert.Equal(vector.Timestamp, headers.Timestamp);
        Assert.Equal(vector.Signature, headers.Signature);
    }

    [Fact]
    public void Every_invalid_vector_has_an_expected_outcome()
    {
        Assert.Equal(
            SignatureVectors.Invalid.Select(v => v.Name).Order(),
            InvalidVectorOutcomes.Select(row => row.Data.Item1).Order());
    }

    [Theory]
    [MemberData(nameof(InvalidVectorOutcomes))]
    public void Every_invalid_vector_is_rejected_with_the_right_status(string name, WebhookVerificationStatus expected)
    {
        var vector = SignatureVectors.Invalid.Single(v => v.Name == name);
        var verifier = new WebhookVerifier([vector.Secret], timeProvider: ClockAt(vector.Timestamp));

        var result = verifier.Verify(vector.Timestamp, vector.Signature, Encoding.UTF8.GetBytes(vector.Body));

        Assert.Equal(expected, result.Status);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_re_serialized_body_fails_because_the_raw_bytes_are_signed()
    {
        var vector = SignatureVectors.Valid.Single(v => v.Name == "pretty-printed-with-error");
        var reserialized = JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(vector.Body).RootElement);
        var verifier = new WebhookVerifier([vector.Secret], timeProvider: ClockAt(vector.Timestamp));

        Assert.True(verifier.Verify(vector.Timestamp, vector.Signature, Encoding.UTF8.GetBytes(vector.Body)).IsValid);
        Assert.Equal(WebhookVerificationStatus.SignatureMismatch, verifier.Verify(vector.Timestamp, vector.Signature, reserialized).Status);
    }

    [Theory]
    [InlineData(null, WebhookVerificationStatus.MissingTimestamp)]
    [InlineData("", WebhookVerificationStatus.MissingTimestamp)]
    [InlineData("abc", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("-1779285260123", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("1779285260.123", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("1234567890123456789012", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("253402300800000", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("1000000000000000", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("9999999999999999", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("999999999999999999", WebhookVerificationStatus.MalformedTimestamp)]
    [InlineData("9223372036854775807", WebhookVerificationStatus.MalformedTimestamp)]
    public void Missing_or_malformed_timestamps_are_rejected(string? timestamp, WebhookVerificationStatus expected)
    {
        var body = "{}"u8.ToArray();
        var verifier = new WebhookVerifier([Secret], timeProvider: new FakeTimeProvider());

        Assert.Equal(expected, verifier.Verify(timestamp, WebhookSignature.Sign(Secret, "1", body), body).Status);
    }

    [Theory]
    [InlineData("9999999999999999")]
    [InlineData("253402300800000")]
    [InlineData("999999999999999999")]
    public void A_correctly_signed_timestamp_beyond_the_year_9999_is_malformed_and_nothing_throws(string timestamp)
    {
        var body = "{\"id\":\"evt_1\",\"name\":\"customer.created\"}"u8.ToArray();
        var signature = WebhookSignature.Sign(Secret, timestamp, body);
        var verifier = new WebhookVerifier([Secret], timeProvider: new FakeTimeProvider());

        Assert.Equal(WebhookVerificationStatus.MalformedTimestamp, verifier.Verify(timestamp, signature, body).Status);
        Assert.Equal(WebhookVerificationStatus.MalformedTimestamp, HeraldWebhook.Verify(body, timestamp, signature, Secret).Status);
        var exception = Assert.Throws<WebhookVerificationException>(() => verifier.ConstructEvent(timestamp, signature, body));
        Assert.Equal(WebhookVerificationStatus.MalformedTimestamp, exception.Status);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("name")]
    [InlineData("account_id")]
    [InlineData("app_id")]
    [InlineData("version")]
    [InlineData("created_at")]
    public void An_authentic_body_with_invalid_utf8_in_an_envelope_member_is_a_format_error(string member)
    {
        var json = Encoding.UTF8.GetBytes($"{{\"id\":\"evt_1\",\"name\":\"customer.created\",\"{member}\":\"x");
        byte[] body = [.. json, 0xFF, .. "\"}"u8];
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, clock.GetUtcNow());
        var verifier = new WebhookVerifier([Secret], timeProvider: clock);

        Assert.Throws<FormatException>(() => verifier.ConstructEvent(headers.Timestamp, headers.Signature, body));
    }

    [Fact]
    public void A_missing_signature_is_rejected()
    {
        var verifier = new WebhookVerifier(Secret);

        Assert.Equal(WebhookVerificationStatus.MissingSignature, verifier.Verify("1779285260123", null, "{}"u8).Status);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86_400)]
    public void A_correctly_signed_request_outside_the_tolerance_is_stale(int offsetSeconds)
    {
        var now = new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);
        var body = "{\"id\":\"evt_1\",\"name\":\"customer.created\"}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, now.AddSeconds(offsetSeconds));

        var result = HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature, Secret, timeProvider: new FakeTimeProvider(now));

        Assert.Equal(WebhookVerificationStatus.TimestampOutsideTolerance, result.Status);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    public void A_request_at_the_edge_of_the_tolerance_either_way_is_valid(int offsetSeconds)
    {
        var now = new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);
        var body = "{}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, now.AddSeconds(offsetSeconds));

        Assert.True(HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature, Secret, timeProvider: new FakeTimeProvider(now)).IsValid);
    }

    [Fact]
    public void A_custom_tolerance_is_honoured()
    {
        var now = new DateTimeOffset(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);
        var body = "{}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, now.AddSeconds(-20));
        var clock = new FakeTimeProvider(now);

        Assert.Equal(WebhookVerificationStatus.TimestampOutsideTolerance, HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature, Secret, TimeSpan.FromSeconds(10), clock).Status);
        Assert.True(HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature, Secret, Timeout.InfiniteTimeSpan, clock).IsValid);
    }

    [Fact]
    public void During_rotation_both_secrets_verify_and_the_result_tells_which_matched()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var body = "{\"id\":\"evt_rot\"}"u8.ToArray();
        var verifier = new WebhookVerifier(["whsec_old", "whsec_new"], timeProvider: clock);
        var oldHeaders = HeraldWebhook.GenerateTestHeaders("whsec_old", body, clock.GetUtcNow());
        var newHeaders = HeraldWebhook.GenerateTestHeaders("whsec_new", body, clock.GetUtcNow());
        var otherHeaders = HeraldWebhook.GenerateTestHeaders("whsec_other", body, clock.GetUtcNow());

        Assert.Equal(0, verifier.Verify(oldHeaders.Timestamp, oldHeaders.Signature, body).SecretIndex);
        Assert.Equal(1, verifier.Verify(newHeaders.Timestamp, newHeaders.Signature, body).SecretIndex);
        Assert.Equal(WebhookVerificationStatus.SignatureMismatch, verifier.Verify(otherHeaders.Timestamp, otherHeaders.Signature, body).Status);
    }

    [Fact]
    public void The_secret_prefix_is_part_of_the_key()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var body = "{}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders("whsec_abc", body, clock.GetUtcNow());

        Assert.Equal(WebhookVerificationStatus.SignatureMismatch, HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature, "abc", timeProvider: clock).Status);
    }

    [Fact]
    public void Uppercase_hex_of_the_right_digest_is_accepted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var body = "{}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, clock.GetUtcNow());

        Assert.True(HeraldWebhook.Verify(body, headers.Timestamp, headers.Signature.ToUpperInvariant(), Secret, timeProvider: clock).IsValid);
    }

    [Fact]
    public void A_verifier_without_secrets_says_so()
    {
        Assert.Equal(WebhookVerificationStatus.NoSecretConfigured, new WebhookVerifier(["", ""]).Verify("1", new string('a', 64), "{}"u8).Status);
    }

    [Fact]
    public void ConstructEvent_verifies_then_returns_the_typed_event()
    {
        var vector = SignatureVectors.Valid.Single(v => v.Name == "seed-partner-disconnected");

        var webhookEvent = HeraldWebhook.ConstructEvent(Encoding.UTF8.GetBytes(vector.Body), vector.Timestamp, vector.Signature, vector.Secret, timeProvider: ClockAt(vector.Timestamp));

        var disconnected = Assert.IsType<PartnerConnectionDisconnected>(webhookEvent);
        Assert.Equal("afc52587-8eac-4c3c-b9eb-b48e904e672f", disconnected.Id);
        Assert.Equal(["acct_yETjCx7GPIqDcnp2fYkSww", "acct_grlXIezYOl2EzrBpPuxbXg"], disconnected.AccountIds);
    }

    [Fact]
    public void ConstructEvent_on_a_mismatch_explains_how_to_fix_it_without_revealing_the_expected_signature()
    {
        var vector = SignatureVectors.Invalid.Single(v => v.Name == "re-serialised-body");
        var body = Encoding.UTF8.GetBytes(vector.Body);

        var exception = Assert.Throws<WebhookVerificationException>(() =>
            HeraldWebhook.ConstructEvent(body, vector.Timestamp, vector.Signature, vector.Secret, timeProvider: ClockAt(vector.Timestamp)));

        Assert.Equal(WebhookVerificationStatus.SignatureMismatch, exception.Status);
        Assert.Contains("raw request body", exception.Message);
        Assert.Contains("whsec_", exception.Message);
        Assert.DoesNotContain(WebhookSignature.Sign(vector.Secret, vector.Timestamp, body), exception.Message);
        Assert.DoesNotContain(vector.Secret, exception.Message);
    }

    [Fact]
    public void ConstructEvent_on_a_stale_request_points_at_the_clock()
    {
        var body = "{\"id\":\"evt_1\",\"name\":\"customer.created\"}"u8.ToArray();
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, body, DateTimeOffset.UtcNow.AddHours(-1));

        var exception = Assert.Throws<WebhookVerificationException>(() => HeraldWebhook.ConstructEvent(body, headers.Timestamp, headers.Signature, Secret));

        Assert.Equal(WebhookVerificationStatus.TimestampOutsideTolerance, exception.Status);
        Assert.Contains("clock", exception.Message);
    }

    [Fact]
    public void Test_headers_apply_to_an_outgoing_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");
        var headers = HeraldWebhook.GenerateTestHeaders(Secret, "{}"u8);

        headers.ApplyTo(request.Headers);

        Assert.Equal(headers.Timestamp, request.Headers.GetValues("x-timestamp").Single());
        Assert.Equal(headers.Signature, request.Headers.GetValues("x-signature").Single());
    }
}
