using System.Text;
using FsCheck.Fluent;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Receiver;
using FsGen = FsCheck.Fluent.Gen;

namespace Herald.Server.Tests.Security;

/// <summary>
/// Properties of the contract's parsers under hostile input (FsCheck generators): the timestamp and signature parsers
/// and the receiver's verification never throw, and the receiver's envelope parser fails only with its documented
/// <see cref="FormatException"/>. Each prints how many inputs it tried and how many broke the property.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Inputs = 20_000;
    private const string Secret = "whsec_fuzz_0123456789";

    private static readonly FsCheck.Gen<string> HostileText = FsGen.Frequency(
        (4, FsGen.Elements(
            string.Empty, " ", "0", "-1", "1e3", "+0000", "Z", "\0", "\ud800", "\udfff", "\ud83d\ude00", "\uFFFD", "\u0660\u0661",
            "2026-05-20T13:54:20+0000", "2026-05-20T13:54:20Z", "2026-05-20T13:54:20.123456789+05:30", "9999-12-31T23:59:59+0000",
            "10000-01-01T00:00:00+0000", "0000-00-00T00:00:00+0000", "2026-05-20t13:54:20+0000", "2026-05-20T13:54:20+9999",
            "2026-05-20T13:54:20-0000", "2026-05-20 13:54:20+0000", "2026-05-20T13:54:20+00:00 ", "\n2026-05-20T13:54:20Z",
            "1779285260000", "9999999999999999", "99999999999999999999", "-9223372036854775808", "00000000000001779285260000",
            new string('f', 64), new string('F', 64), new string('g', 64), new string('0', 63), new string('0', 65))),
        (4, FsGen.Elements("0123456789+-:.TZtz \0\ud800\u00e9abcdefABCDEFg".ToCharArray()).ArrayOf().Select(chars => new string(chars))),
        (1, FsGen.Choose(0, 70).SelectMany(n => FsGen.Elements("0123456789".ToCharArray()).ArrayOf(n)).Select(chars => new string(chars))));

    private static readonly FsCheck.Gen<byte[]> HostileBody = FsGen.Frequency(
        (3, FsGen.Choose(0, 255).Select(b => (byte)b).ArrayOf()),
        (3, FsGen.Elements(
            "{}", "[]", "null", "{\"id\":1}", "{\"id\":\"evt\",\"name\":\"refund.received\"}",
            "{\"id\":\"evt_1\",\"name\":\"refund.received\",\"account_id\":\"acct_1\",\"data\":{\"object\":{}},\"created_at\":\"2026-05-20T13:54:20+0000\",\"version\":\"2026-02-27\"}",
            "{\"id\":\"evt_1\",\"name\":\"partner_connection.disconnected\",\"app_id\":\"appid_1\",\"data\":{\"account_ids\":[1,null]},\"created_at\":\"x\"}",
            "{\"id\":\"evt_1\",\"id\":\"evt_2\",\"name\":\"refund.received\",\"data\":{\"object\":{}}}",
            "{\"id\":\"\\ud800\",\"name\":\"refund.received\",\"account_id\":\"acct_1\",\"data\":{\"object\":{}},\"created_at\":\"99999-01-01T00:00:00+0000\"}",
            "{\"id\":\"evt_1\",\"name\":\"refund.received\",\"account_id\":\"acct_1\",\"data\":{\"object\":{\"amount\":1e400}},\"created_at\":\"2026-05-20T13:54:20+0000\"}",
            "{\"id\":\"evt_1\",\"name\":\"payment_intent.succeeded\",\"account_id\":\"acct_1\",\"data\":{\"object\":[]},\"created_at\":\"2026-05-20T13:54:20+0000\"}")
            .SelectMany(text => FsGen.Choose(-1, text.Length).Select(cut => Cut(Encoding.UTF8.GetBytes(text), cut)))),
        (1, FsGen.Choose(1, 200).Select(depth => Encoding.ASCII.GetBytes(new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":[", depth)) + new string(']', depth) + "}"))));

    private static byte[] Cut(byte[] bytes, int at)
    {
        if (at < 0 || at >= bytes.Length)
        {
            return bytes;
        }

        // Either truncate here or put an invalid UTF-8 byte here.
        if (at % 2 == 0)
        {
            return bytes[..at];
        }

        bytes[at] = 0xFF;
        return bytes;
    }

    private static void Report(string name, int tried, List<string> broken)
    {
        var summary = $"{name}: {tried} inputs, {broken.Count} broke the property";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(broken.Count == 0, summary + "\n" + string.Join("\n", broken.Take(10)));
    }

    [Fact]
    public void The_created_at_and_signature_parsers_never_throw()
    {
        var inputs = FsGen.Sample(FsGen.Zip(HostileText, HostileBody), Inputs, 50);
        var broken = new List<string>();
        foreach (var (text, body) in inputs)
        {
            try
            {
                _ = WebhookTimestamps.TryParse(text, out _);
                _ = WebhookSignature.TryDecodeSignature(text, new byte[32]);
                _ = WebhookSignature.IsValid(Secret, text, body, text);
                _ = WebhookSignature.Sign(Secret, text, body);
            }
            catch (Exception exception)
            {
                broken.Add($"{exception.GetType().Name}: {exception.Message} <- {Escape(text)}");
            }
        }

        Report("created_at and x-signature parsers", inputs.Length, broken);
    }

    // Today this finds the Herald.Receiver failures that issue 9 point 10 fixes (Verify throws ArgumentOutOfRangeException for an
    // x-timestamp beyond the year 9999; ParseEvent throws InvalidOperationException for invalid UTF-8 or an unpaired surrogate
    // escape in id or name): about 1,700 of 20,000 inputs. Enable it when that work lands.
    [Fact]
    public void Receiver_verification_never_throws_and_envelope_parsing_fails_only_with_FormatException()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_779_285_260_000);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
        var inputs = FsGen.Sample(from t in HostileText from s in HostileText from b in HostileBody select (t, s, b), Inputs, 50);
        var broken = new List<string>();
        foreach (var (timestamp, signature, body) in inputs)
        {
            // Half the inputs carry a valid signature, so hostile bodies reach the parser behind verification too.
            var signed = body.Length % 2 == 0;
            var header = signed ? "1779285260000" : timestamp;
            var sig = signed ? WebhookSignature.Sign(Secret, header, body) : signature;
            try
            {
                _ = HeraldWebhook.Verify(body, header, sig, Secret, timeProvider: clock);
            }
            catch (Exception exception)
            {
                broken.Add($"Verify threw {exception.GetType().Name}: {exception.Message} <- timestamp {Escape(header)}");
            }

            try
            {
                _ = HeraldWebhook.ParseEvent(body);
            }
            catch (FormatException)
            {
                // documented
            }
            catch (Exception exception)
            {
                broken.Add($"ParseEvent threw {exception.GetType().Name}: {exception.Message} <- {Escape(Encoding.UTF8.GetString(body))}");
            }
        }

        Report("receiver verification and envelope parsing", inputs.Length, broken);
    }

    private static string Escape(string text) => string.Concat(text.Take(200).Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
