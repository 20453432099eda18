using System.Globalization;
using System.Text;
using Herald.Contracts.Envelope;

namespace Herald.Contracts.Tests.Envelope;

public sealed class WebhookTimestampsTests
{
    public static TheoryData<string> CreatedAtTexts =>
    [
        "2026-05-20T13:54:20+0000",
        "2026-05-20T13:54:20Z",
        "2026-05-20T13:54:20z",
        "2026-05-20t13:54:20Z",
        "2026-05-20T13:54:20+00:00",
        "2024-02-29T23:59:59-0930",
        "2026-12-31T23:30:00+14:00",
        "2026-12-31T23:30:00-1400",
        "2026-12-31T23:30:00+1401",
        "2026-12-31T23:30:00+14:59",
        "2026-12-31T23:30:00+1500",
        "2023-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-05-20T24:00:00Z",
        "2026-05-20T13:60:00Z",
        "2026-05-20T13:54:60Z",
        "2026-05-20T13:54:20.123+0000",
        "2026-05-20T13:54:20.1234567Z",
        "2026-05-20T13:54:20",
        "2026-05-20 13:54:20Z",
        "0001-01-01T00:30:00+0100",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-0100",
        "2026-05-20T13:54:20+2500",
        "2026-05-20T13:54:20+0000 ",
        " 2026-05-20T13:54:20+0000",
        "2026-05-20T13:54:20+00000",
        "+2026-05-20T13:54:20Z",
        "２０２６-05-20T13:54:20Z",
        "2026-05-20T13:54:20\u0000Z",
        "",
        "yesterday",
    ];

    [Theory]
    [MemberData(nameof(CreatedAtTexts))]
    public void The_utf8_overload_agrees_with_the_string_overload(string text)
    {
        var expected = WebhookTimestamps.TryParse(text, out var fromString) ? fromString : (DateTimeOffset?)null;

        var actual = WebhookTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out var fromUtf8) ? fromUtf8 : (DateTimeOffset?)null;

        Assert.Equal(expected, actual);
        Assert.Equal(expected?.Offset, actual?.Offset);
    }

    [Fact]
    public void The_utf8_overload_agrees_with_the_string_overload_on_generated_instants_and_offsets()
    {
        var random = new Random(20260520);
        for (var i = 0; i < 5_000; i++)
        {
            var instant = DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(-62_000_000_000, 253_000_000_000));
            var offsetMinutes = random.Next(-15 * 60, (15 * 60) + 1);
            var sign = offsetMinutes < 0 ? '-' : '+';
            var magnitude = Math.Abs(offsetMinutes);
            var zone = random.Next(3) switch
            {
                0 => "Z",
                1 => string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude / 60:D2}{magnitude % 60:D2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{sign}{magnitude / 60:D2}:{magnitude % 60:D2}"),
            };
            var text = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + zone;

            var expected = WebhookTimestamps.TryParse(text, out var fromString) ? fromString : (DateTimeOffset?)null;
            var actual = WebhookTimestamps.TryParse(Encoding.UTF8.GetBytes(text), out var fromUtf8) ? fromUtf8 : (DateTimeOffset?)null;

            Assert.True(expected == actual && expected?.Offset == actual?.Offset, $"'{text}': string {expected:O}, UTF-8 {actual:O}");
        }
    }

    [Fact]
    public void Invalid_utf8_is_not_an_instant()
    {
        byte[] text = [.. "2026-05-20T13:54:20"u8, 0xFF, (byte)'Z'];

        Assert.False(WebhookTimestamps.TryParse(text, out _));
        Assert.False(WebhookTimestamps.TryParse([.. text, .. new byte[400]], out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1779285260123", 1779285260123L)]
    [InlineData(" 1779285260123\t", 1779285260123L)]
    [InlineData("253402300799999", 253402300799999L)]
    [InlineData("000000000000001", 1L)]
    public void A_signature_timestamp_is_unix_milliseconds_up_to_the_year_9999(string text, long expected)
    {
        Assert.True(WebhookTimestamps.TryParseSignatureTimestamp(text, out var milliseconds));
        Assert.Equal(expected, milliseconds);
        Assert.Equal(expected, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("253402300800000")]
    [InlineData("999999999999999")]
    [InlineData("1000000000000000")]
    [InlineData("9999999999999999")]
    [InlineData("999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999999")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("１２３")]
    [InlineData("12\u000034")]
    public void Anything_else_is_not_a_signature_timestamp_and_nothing_throws(string text)
    {
        Assert.False(WebhookTimestamps.TryParseSignatureTimestamp(text, out var milliseconds));
        Assert.Equal(0, milliseconds);
    }

    [Fact]
    public void Formatting_then_parsing_a_signature_timestamp_round_trips()
    {
        var instant = new DateTimeOffset(2026, 5, 20, 13, 54, 20, 123, TimeSpan.Zero);

        Assert.True(WebhookTimestamps.TryParseSignatureTimestamp(WebhookTimestamps.FormatSignatureTimestamp(instant), out var milliseconds));
        Assert.Equal(instant, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
    }
}
