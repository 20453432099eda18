using System.Text;
using System.Text.Json.Nodes;
using Herald.Contracts.Events;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// What Herald sends survives the integrator's shortcut: JavaScript's <c>JSON.stringify(JSON.parse(body))</c> gives back
/// the very bytes that were signed (Airwallex's Node example verifies over re-serialized JSON). Checked with Node itself
/// over every catalog sample Herald sends and over published events with unicode, escapes and odd numbers.
/// </summary>
public sealed class JavaScriptRoundTripTests : ServerWithReceiverTest
{
    private static readonly string[] OddData =
    [
        """{"object":{"id":"int_1","amount":10.50,"fee":1e3,"refund":-0,"tiny":1.5E-7,"huge":1e21,"pi":3.141592653589793}}""",
        """{"object":{"id":"cus_é","name":"Zoë \u00e9 北京 😀","note":"line\nbreak\ttab \u0001 \u001f \/ \" \\","sep":"\u2028\u2029"}}""",
        """{"object":{"id":"x","b":1,"2":2,"a":3,"1":4,"nested":{"10":[1,[2,[3,{"0":true,"z":null}]]],"k":false}}}""",
        """{"object":{"id":"pi_1","amount":100},"error":{"code":"provider_declined","message":"Déclinée — “nope”","provider_original_response_code":"05"}}""",
        """{"object":{"id":"n","max":1.7976931348623157e308,"min":5e-324,"e":2.5e+10,"neg":-123.4500}}""",
    ];

    [Fact]
    public async Task Every_body_Herald_sends_is_what_JSON_stringify_of_JSON_parse_gives_back()
    {
        var account = await Server.CreateAccountAsync();
        var webhook = await Server.CreateWebhookAsync(account, Receiver.Url());
        foreach (var type in EventCatalog.All.Where(t => !t.IsPartnerLevel))
        {
            await Server.PostAsync($"/api/v1/webhooks/{webhook["id"]}/test", new JsonObject { ["name"] = type.Name });
        }

        for (var i = 0; i < OddData.Length; i++)
        {
            await Server.PublishAsync(account, "payment_intent.succeeded", id: $"evt_odd_{i}", dataJson: OddData[i]);
        }

        var expected = EventCatalog.All.Count(t => !t.IsPartnerLevel) + OddData.Length;
        await Receiver.WaitUntilAsync(r => r.Count >= expected);
        var bodies = Receiver.Requests.Select(r => r.Body).ToList();

        var roundTrips = NodeJson.RoundTrip(bodies);

        Assert.Equal(expected, bodies.Count);
        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.True(roundTrips[i] is { } back && back.AsSpan().SequenceEqual(bodies[i]),
                $"JavaScript re-serializes this body differently:\n{Encoding.UTF8.GetString(bodies[i])}\n{(roundTrips[i] is { } b ? Encoding.UTF8.GetString(b) : "(JSON.parse refused it)")}");
        }
    }

    [Fact]
    public async Task Numbers_a_double_cannot_hold_keep_the_producers_digits_which_JavaScript_cannot()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url());

        await Server.PublishAsync(account, "payment_intent.succeeded", id: "evt_big",
            dataJson: """{"object":{"id":"big","amount":12345678901234567890,"pi":3.14159265358979323}}""");
        var body = Encoding.UTF8.GetString((await Receiver.NextAsync()).Body);
        var roundTrip = Encoding.UTF8.GetString(NodeJson.RoundTrip([Encoding.UTF8.GetBytes(body)])[0]!);

        // Herald changes no value: the digits stay. JavaScript would change them, so there no byte-exact form exists (docs/server.md).
        Assert.Contains("\"amount\":12345678901234567890,\"pi\":3.14159265358979323}", body, StringComparison.Ordinal);
        Assert.Contains("\"amount\":12345678901234567000,\"pi\":3.141592653589793}", roundTrip, StringComparison.Ordinal);
    }
}
