using System.Text;
using Herald.Cli.Tests.Infrastructure;
using Herald.Receiver;
using Herald.Testing;

namespace Herald.Cli.Tests.Signing;

public sealed class SignatureCommandTests
{
    public static TheoryData<SignatureVector> ValidVectors => [.. SignatureVectors.Valid];

    public static TheoryData<SignatureVector> InvalidVectors => [.. SignatureVectors.Invalid];

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public async Task Verify_accepts_every_valid_vector_with_exit_code_0(SignatureVector vector)
    {
        var payload = WritePayload(vector);

        var result = await HeraldCli.RunAsync("verify", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--signature", vector.Signature, "--payload", payload, "--tolerance", "none");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Valid", result.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidVectors))]
    public async Task Verify_rejects_every_invalid_vector_with_exit_code_1_and_the_receivers_explanation(SignatureVector vector)
    {
        var payload = WritePayload(vector);
        var expected = HeraldWebhook.Verify(Encoding.UTF8.GetBytes(vector.Body), vector.Timestamp, vector.Signature, vector.Secret, Timeout.InfiniteTimeSpan);

        var result = await HeraldCli.RunAsync("verify", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--signature", vector.Signature, "--payload", payload, "--tolerance", "none");

        Assert.False(expected.IsValid);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"Invalid: {expected.PublicMessage}.", result.StdOut, StringComparison.Ordinal);
        Assert.Contains(expected.Explanation, result.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public async Task Sign_prints_the_vectors_signature_for_its_secret_timestamp_and_payload(SignatureVector vector)
    {
        var payload = WritePayload(vector);

        var result = await HeraldCli.RunAsync("sign", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--payload", payload);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"x-timestamp: {vector.Timestamp}\nx-signature: {vector.Signature}\n", result.StdOut);
    }

    [Fact]
    public async Task Sign_reads_the_payload_from_standard_input_when_no_file_is_given()
    {
        var vector = SignatureVectors.Valid.First(v => v.Name == "utf8-literal");

        var result = await HeraldCli.RunAsync(["sign", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--json"], stdin: Encoding.UTF8.GetBytes(vector.Body));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(vector.Timestamp, result.Json.GetProperty("x_timestamp").GetString());
        Assert.Equal(vector.Signature, result.Json.GetProperty("x_signature").GetString());
    }

    [Fact]
    public async Task Sign_and_verify_work_on_the_raw_bytes_even_when_they_are_not_valid_utf8()
    {
        byte[] body = [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x00, 0x22, 0x7D];
        var expected = Herald.Contracts.Signing.WebhookSignature.Sign("whsec_raw", "1779285260123", body);

        var signed = await HeraldCli.RunAsync(["sign", "--secret", "whsec_raw", "--timestamp", "1779285260123", "--json"], stdin: body);
        var verified = await HeraldCli.RunAsync(["verify", "--secret", "whsec_raw", "--timestamp", "1779285260123", "--signature", expected, "--tolerance", "none"], stdin: body);

        Assert.Equal(expected, signed.Json.GetProperty("x_signature").GetString());
        Assert.True(verified.ExitCode == 0, verified.ToString());
    }

    [Fact]
    public async Task A_payload_signed_now_verifies_within_the_default_five_minute_tolerance()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_now\",\"name\":\"refund.failed\"}");
        var signed = await HeraldCli.RunAsync(["sign", "--secret", "whsec_round_trip", "--json"], stdin: body);
        var timestamp = signed.Json.GetProperty("x_timestamp").GetString()!;
        var signature = signed.Json.GetProperty("x_signature").GetString()!;

        var verified = await HeraldCli.RunAsync(["verify", "--secret", "whsec_round_trip", "--timestamp", timestamp, "--signature", signature], stdin: body);

        Assert.True(verified.ExitCode == 0, verified.ToString());
    }

    [Fact]
    public async Task A_valid_signature_from_long_ago_fails_the_default_tolerance_and_says_how_to_check_the_signature_only()
    {
        var vector = SignatureVectors.Valid.First(v => v.Name == "seed-partner-disconnected");

        var result = await HeraldCli.RunAsync(["verify", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--signature", vector.Signature], stdin: Encoding.UTF8.GetBytes(vector.Body));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(new WebhookVerificationResult(WebhookVerificationStatus.TimestampOutsideTolerance, 0, null).Explanation, result.StdOut, StringComparison.Ordinal);
        Assert.Contains("--tolerance none", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task During_a_rotation_verify_accepts_either_secret_and_says_which_one_matched()
    {
        var vector = SignatureVectors.Valid.First(v => v.Name == "seed-partner-disconnected");

        var result = await HeraldCli.RunAsync(
            ["verify", "--secret", "whsec_old_one", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--signature", vector.Signature, "--tolerance", "none", "--json"],
            stdin: Encoding.UTF8.GetBytes(vector.Body));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Json.GetProperty("valid").GetBoolean());
        Assert.Equal(1, result.Json.GetProperty("secret_index").GetInt32());
    }

    [Fact]
    public async Task Verify_json_reports_the_failure_status_for_scripts()
    {
        var vector = SignatureVectors.Invalid.First(v => v.Name == "tampered-body");

        var result = await HeraldCli.RunAsync(
            ["verify", "--secret", vector.Secret, "--timestamp", vector.Timestamp, "--signature", vector.Signature, "--tolerance", "none", "--json"],
            stdin: Encoding.UTF8.GetBytes(vector.Body));

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Json.GetProperty("valid").GetBoolean());
        Assert.Equal("signature_mismatch", result.Json.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("sign", "--secret", "s", "--timestamp", "12a4")]
    [InlineData("sign", "--secret", "s", "--payload", "/no/such/file.json")]
    [InlineData("verify", "--secret", "s", "--timestamp", "1", "--signature", "ab", "--tolerance", "soon")]
    [InlineData("verify", "--secret", "s", "--timestamp", "1")]
    public async Task Bad_arguments_are_usage_errors_with_exit_code_2(params string[] args)
    {
        var result = await HeraldCli.RunAsync(args, stdin: "{}"u8.ToArray());

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEqual(string.Empty, result.StdErr.Trim());
    }

    private static string WritePayload(SignatureVector vector)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("herald-cli-payload-").FullName, "body.json");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(vector.Body));
        return path;
    }
}
