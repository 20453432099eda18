using System.Text;
using Herald.Contracts.Signing;
using Herald.Testing;

namespace Herald.Contracts.Tests.Signing;

public sealed class WebhookSignatureTests
{
    public static TheoryData<SignatureVector> ValidVectors => [.. SignatureVectors.Valid];

    public static TheoryData<SignatureVector> InvalidVectors => [.. SignatureVectors.Invalid];

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Sign_produces_the_vector_signature(SignatureVector vector)
    {
        var signature = WebhookSignature.Sign(vector.Secret, vector.Timestamp, Encoding.UTF8.GetBytes(vector.Body));

        Assert.Equal(vector.Signature, signature);
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void IsValid_accepts_every_valid_vector(SignatureVector vector)
    {
        Assert.True(WebhookSignature.IsValid(vector.Secret, vector.Timestamp, Encoding.UTF8.GetBytes(vector.Body), vector.Signature));
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void IsValid_accepts_uppercase_hex_of_the_same_digest(SignatureVector vector)
    {
        Assert.True(WebhookSignature.IsValid(vector.Secret, vector.Timestamp, Encoding.UTF8.GetBytes(vector.Body), vector.Signature.ToUpperInvariant()));
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void The_pre_encoded_overload_produces_the_vector_digest(SignatureVector vector)
    {
        Span<byte> digest = stackalloc byte[32];

        WebhookSignature.ComputeDigest(Encoding.UTF8.GetBytes(vector.Secret), Encoding.UTF8.GetBytes(vector.Timestamp), Encoding.UTF8.GetBytes(vector.Body), digest);

        Assert.Equal(vector.Signature, Convert.ToHexStringLower(digest));
    }

    [Theory]
    [MemberData(nameof(InvalidVectors))]
    public void IsValid_rejects_every_invalid_vector(SignatureVector vector)
    {
        Assert.False(WebhookSignature.IsValid(vector.Secret, vector.Timestamp, Encoding.UTF8.GetBytes(vector.Body), vector.Signature));
    }

    [Fact]
    public void Sign_with_unix_milliseconds_matches_sign_with_the_header_text()
    {
        var body = "{\"id\":\"evt_1\"}"u8.ToArray();

        Assert.Equal(WebhookSignature.Sign("whsec_x", "1779285260123", body), WebhookSignature.Sign("whsec_x", 1779285260123, body));
    }

    [Fact]
    public void Bodies_larger_than_the_stack_buffer_sign_the_same_as_a_reference_hmac()
    {
        var body = Encoding.UTF8.GetBytes(new string('a', 70_000));
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("whsec_big"), (byte[])[.. Encoding.UTF8.GetBytes("123"), .. body]));

        Assert.Equal(expected, WebhookSignature.Sign("whsec_big", "123", body));
    }

    [Fact]
    public void The_committed_vector_copy_matches_the_shared_spec_when_the_spec_is_beside_the_checkout()
    {
        var committed = File.ReadAllText(SignatureVectors.CommittedCopyPath);
        var shared = SignatureVectors.SharedSpecPath is { } path ? File.ReadAllText(path) : committed;

        Assert.Equal(shared, committed);
        Assert.Contains("\"valid\"", committed);
    }
}
