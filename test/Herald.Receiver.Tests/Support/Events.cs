using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Samples;

namespace Herald.Receiver.Tests.Support;

/// <summary>Builds envelopes the way the Herald server does.</summary>
internal static class Events
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);

    public static string NewId() => "evt_" + Guid.NewGuid().ToString("N");

    public static byte[] Envelope(string name, string? id = null, string data = "{\"object\":{\"id\":\"int_1\",\"status\":\"SUCCEEDED\"}}", DateTimeOffset? createdAt = null, string? accountId = "acct_test", string? appId = null) =>
        WebhookEnvelope.Serialize(id ?? NewId(), name, accountId, appId, Encoding.UTF8.GetBytes(data), createdAt ?? CreatedAt, "2026-02-27");

    public static byte[] Sample(string name, string? id = null) =>
        WebhookEnvelope.Serialize(
            id ?? NewId(),
            name,
            name.StartsWith("partner_connection.", StringComparison.Ordinal) ? null : "acct_test",
            name.StartsWith("partner_connection.", StringComparison.Ordinal) ? "appid_test" : null,
            EventSamples.GetData(name).Span,
            CreatedAt,
            "2026-02-27");

    public static string Text(byte[] body) => Encoding.UTF8.GetString(body);
}
