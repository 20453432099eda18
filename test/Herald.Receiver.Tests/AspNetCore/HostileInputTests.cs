using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Herald.Contracts.Signing;
using Herald.Receiver.Events;
using Herald.Receiver.Processing;
using Herald.Receiver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Tests.AspNetCore;

/// <summary>What must become of a correctly signed request with a hostile member.</summary>
public enum Expect
{
    /// <summary>Refused with 400 and not stored.</summary>
    Refused,

    /// <summary>Acknowledged, then handled.</summary>
    Handled,

    /// <summary>Acknowledged, then parked at once (unreadable), visibly.</summary>
    Parked,
}

/// <summary>One receiver app per inbox kind, shared by the hostile-input cases (each case uses its own event id).</summary>
public sealed class HostileInputApps : IAsyncLifetime
{
    private readonly Dictionary<TestInbox, ReceiverApp> _apps = [];
    private readonly Dictionary<TestInbox, Recorder> _recorders = [];

    internal ReceiverApp this[TestInbox inbox] => _apps[inbox];

    internal Recorder RecorderOf(TestInbox inbox) => _recorders[inbox];

    public async ValueTask InitializeAsync()
    {
        foreach (var inbox in new[] { TestInbox.Sqlite, TestInbox.Postgres })
        {
            var recorder = _recorders[inbox] = new Recorder();
            _apps[inbox] = await ReceiverApp.StartAsync(
                await ReceiverApp.NewDatabaseAsync(inbox),
                handlers: b => b.AddHandler<WebhookEvent, RecordingHandler<WebhookEvent>>(),
                services: s => s.AddSingleton(recorder),
                inbox: inbox);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps.Values)
        {
            await app.DisposeAsync();
        }
    }
}

/// <summary>
/// Correctly signed requests with hostile bytes in every envelope member, on SQLite and PostgreSQL: each is refused
/// with 400 or, once acknowledged, ends handled or parked; none gets a 5xx and none is left pending.
/// </summary>
public sealed partial class HostileInputTests(HostileInputApps apps) : IClassFixture<HostileInputApps>
{
    private static readonly string[] Members = ["id", "name", "account_id", "app_id", "created_at", "version", "data"];

    /// <summary>(member, its JSON value with &lt;XX&gt; for a raw byte, expected) for every hostile shape.</summary>
    public static IEnumerable<(string Member, string Json, Expect Expected)> Cases()
    {
        // Invalid UTF-8 (a stray byte, an overlong NUL, an encoded surrogate) anywhere in the body: JSON is UTF-8.
        foreach (var member in Members)
        {
            yield return (member, member == "data" ? "{\"object\":{\"id\":\"int<FF>\"}}" : "\"x<FF>y\"", Expect.Refused);
        }

        yield return ("id", "\"evt<C0><80>\"", Expect.Refused);
        yield return ("name", "\"customer.<ED><A0><80>\"", Expect.Refused);
        yield return ("data", "{\"object\":{\"id\":\"int_1\"},\"note\":\"<F5><80><80><80>\"}", Expect.Refused);

        // NUL: no key may hold one (PostgreSQL text cannot); elsewhere it is data.
        yield return ("id", "\"evt\\u0000x\"", Expect.Refused);
        yield return ("name", "\"customer.created\\u0000\"", Expect.Refused);
        yield return ("account_id", "\"acct\\u0000\"", Expect.Handled);
        yield return ("app_id", "\"app\\u0000\"", Expect.Handled);
        yield return ("created_at", "\"2026-05-20T13:54:20\\u0000+0000\"", Expect.Handled);
        yield return ("version", "\"2026-02-27\\u0000\"", Expect.Handled);
        yield return ("data", "{\"object\":{\"id\":\"int\\u0000\",\"status\":\"A\\u0000B\"}}", Expect.Handled);

        // Other control characters in a key are a different id (a trailing newline), so refused.
        yield return ("id", "\"evt_1\\n\"", Expect.Refused);
        yield return ("name", "\"customer.created\\t\"", Expect.Refused);

        // Lone surrogate escapes are not text: refused in the envelope, parked when they sit in a typed field.
        foreach (var member in Members.Where(m => m != "data"))
        {
            yield return (member, "\"\\ud800\"", Expect.Refused);
        }

        yield return ("created_at", "\"2026-05-20T13:54:20\\udc00+0000\"", Expect.Refused);
        yield return ("data", "{\"object\":{\"id\":\"\\ud800\"}}", Expect.Parked);
        yield return ("data", "{\"object\":{\"id\":\"int_1\",\"status\":\"\\udfff\"}}", Expect.Parked);
        yield return ("data", "{\"object\":{\"id\":\"int_1\"},\"error\":{\"code\":\"\\ud800x\"}}", Expect.Parked);
        yield return ("data", "{\"object\":{\"id\":\"int_1\"},\"note\":\"\\ud800\"}", Expect.Handled);

        // Huge numbers in every member.
        yield return ("id", "123456789012345678901234567890123456789012345678901234567890", Expect.Handled);
        yield return ("id", "1e999999", Expect.Handled);
        yield return ("name", "1e400", Expect.Handled);
        yield return ("account_id", "1e400", Expect.Handled);
        yield return ("app_id", "-1e-400", Expect.Handled);
        yield return ("created_at", "99999999999999999999999999999", Expect.Handled);
        yield return ("created_at", "\"99999-12-31T23:59:59Z\"", Expect.Handled);
        yield return ("version", "1e400", Expect.Handled);
        yield return ("data", "1e400", Expect.Handled);
        yield return ("data", "{\"object\":{\"id\":1e400}}", Expect.Handled);
        yield return ("data", "{\"object\":{\"id\":\"int_1\",\"amount\":1e400}}", Expect.Parked);
        yield return ("data", "{\"object\":{\"id\":\"int_1\",\"amount\":-79228162514264337593543950336}}", Expect.Parked);

        // Keys longer than any index can hold, and other shapes.
        yield return ("id", "\"" + new string('a', 257) + "\"", Expect.Refused);
        yield return ("id", "\"" + new string('a', 256) + "\"", Expect.Handled);
        yield return ("name", "\"" + new string('n', 5000) + "\"", Expect.Refused);
        yield return ("id", "\"\"", Expect.Refused);
        yield return ("id", "null", Expect.Refused);
        yield return ("id", "{\"nested\":1}", Expect.Refused);
        yield return ("data", new string('[', 300) + new string(']', 300), Expect.Parked);
    }

    public static TheoryData<TestInbox, int> CaseNumbers()
    {
        var data = new TheoryData<TestInbox, int>();
        var count = Cases().Count();
        foreach (var inbox in new[] { TestInbox.Sqlite, TestInbox.Postgres })
        {
            for (var i = 0; i < count; i++)
            {
                data.Add(inbox, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNumbers))]
    public async Task A_signed_envelope_with_a_hostile_member_is_refused_or_ends_handled_or_parked(TestInbox inbox, int number)
    {
        var (member, json, expected) = Cases().ElementAt(number);
        var app = apps[inbox];
        var id = member == "id" ? null : Support.Events.NewId();
        var body = Envelope(member, json, id ?? "unused");
        var countsBefore = await app.Inbox.GetCountsAsync();

        using var response = await app.PostSignedAsync(body);
        var text = await response.Content.ReadAsStringAsync();

        if (expected == Expect.Refused)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{member}={json}: {(int)response.StatusCode} {text}");
            Assert.StartsWith("body is not a webhook event", text, StringComparison.Ordinal);
            Assert.Equal(countsBefore, await app.Inbox.GetCountsAsync());
            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{member}={json}: {(int)response.StatusCode} {text}");
        var eventId = id ?? IdOf(json);
        var entry = await app.WaitForStateAsync(eventId, expected == Expect.Handled ? InboxEntryState.Processed : InboxEntryState.Parked);
        Assert.Equal(1, entry.Attempts);
        if (expected == Expect.Handled)
        {
            Assert.Equal(1, apps.RecorderOf(inbox).Calls(eventId));
        }
        else
        {
            Assert.Contains("FormatException", entry.LastError, StringComparison.Ordinal);
            Assert.Equal(0, apps.RecorderOf(inbox).Calls(eventId));
        }
    }

    [Theory]
    [InlineData(TestInbox.Sqlite)]
    [InlineData(TestInbox.Postgres)]
    public async Task Random_hostile_bytes_in_signed_envelopes_never_get_a_5xx_and_leave_nothing_pending(TestInbox inbox)
    {
        var app = apps[inbox];
        var random = new Random(9_10);
        string[] pieces = ["<00>", "<FF>", "<C0><80>", "<ED><A0><80>", "\\u0000", "\\ud800", "\\udc00", "\\\"", "\\", "\"", "1e400", "-0", "{", "}", "[", "]", ",", ":", "\\n", "<7F>", "<E2><80><AE>", "9999999999999999999999"];
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < 150; i++)
        {
            var member = Members[random.Next(Members.Length)];
            var inside = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => pieces[random.Next(pieces.Length)]));
            var json = member == "data" ? "{\"object\":{\"id\":\"int_" + inside + "\",\"status\":\"S\"}}" : "\"v_" + inside + "\"";
            using var response = await app.PostSignedAsync(Envelope(member, json, Support.Events.NewId()));
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{inbox}: tried {statuses.Values.Sum()} signed envelopes with random hostile bytes; " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")) + $"; 5xx: {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}");

        // Whatever was acknowledged is worked off: nothing stays pending.
        await app.Probe.WaitUntilAsync(() => app.Inbox.GetCountsAsync().GetAwaiter().GetResult().Pending == 0, "the inbox to have nothing pending");

        Assert.DoesNotContain(statuses.Keys, status => status >= 500);
        Assert.All(statuses.Keys, status => Assert.True(status is 200 or 400, $"status {status}"));
        Assert.True(statuses.GetValueOrDefault(200) > 0 && statuses.GetValueOrDefault(400) > 0, string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
    }

    [Theory]
    [InlineData("9999999999999999")]
    [InlineData("253402300800000")]
    [InlineData("999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999999999")]
    public async Task A_timestamp_beyond_the_year_9999_is_refused_with_400_even_when_correctly_signed(string timestamp)
    {
        var app = apps[TestInbox.Sqlite];
        var body = Support.Events.Envelope("customer.created");

        using var response = await app.PostSignedAsync(body, tweak: request =>
        {
            request.Headers.Remove(WebhookSignature.TimestampHeader);
            request.Headers.Remove(WebhookSignature.SignatureHeader);
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(ReceiverApp.Secret, timestamp, body));
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("malformed x-timestamp header", await response.Content.ReadAsStringAsync());
    }

    /// <summary>An envelope with the usual members in the usual order, <paramref name="member"/> set to the raw JSON <paramref name="json"/>.</summary>
    private static byte[] Envelope(string member, string json, string id)
    {
        var values = new Dictionary<string, string>
        {
            ["id"] = "\"" + id + "\"",
            ["name"] = "\"payment_intent.succeeded\"",
            ["account_id"] = "\"acct_hostile\"",
            ["app_id"] = "\"app_hostile\"",
            ["data"] = "{\"object\":{\"id\":\"int_hostile\",\"status\":\"SUCCEEDED\"}}",
            ["created_at"] = "\"2026-05-20T13:54:20+0000\"",
            ["version"] = "\"2026-02-27\"",
        };
        values[member] = json;
        var text = "{" + string.Join(",", Members.Select(m => $"\"{m}\":{values[m]}")) + "}";
        return Raw(text);
    }

    /// <summary>UTF-8 of <paramref name="text"/> with every &lt;XX&gt; replaced by the raw byte 0xXX.</summary>
    private static byte[] Raw(string text)
    {
        var bytes = new List<byte>();
        var last = 0;
        foreach (Match match in RawByte().Matches(text))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(text[last..match.Index]));
            bytes.Add(byte.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            last = match.Index + match.Length;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[last..]));
        return [.. bytes];
    }

    /// <summary>The id the receiver reads from an <c>id</c> member given as JSON (a string's text, a number's spelling).</summary>
    private static string IdOf(string json) => json.StartsWith('"') ? json[1..^1] : json;

    [GeneratedRegex("<([0-9A-F]{2})>")]
    private static partial Regex RawByte();
}
