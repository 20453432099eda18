using System.Globalization;
using System.Text;
using Herald.Contracts.Envelope;

namespace Herald.Bench;

/// <summary>
/// The events every part of the server benchmark agrees on: ids that carry their sequence number, a ~1 KiB
/// <c>payment_intent.succeeded</c> envelope, and the one webhook secret the verifying receiver knows.
/// Linked as source into the harness and the baseline processes.
/// </summary>
internal static class BenchEvents
{
    /// <summary>The secret of every benchmark webhook; the receiver verifies <c>x-signature</c> with it.</summary>
    public const string Secret = "whsec_herald_bench_0123456789abcdef";

    public const string Name = "payment_intent.succeeded";

    /// <summary>Size of the envelope an endpoint receives, in bytes (give or take the digits of the id).</summary>
    public const int EnvelopeBytes = 1024;

    /// <summary>Event ids are <c>e{run}-{sequence}</c>: the receiver's arrivals are matched to accept times by the sequence.</summary>
    public static string Id(string run, long sequence) => string.Create(CultureInfo.InvariantCulture, $"e{run}-{sequence}");

    /// <summary>The sequence number in an id made by <see cref="Id"/>, or -1 for any other id.</summary>
    public static long Sequence(ReadOnlySpan<char> id)
    {
        var dash = id.LastIndexOf('-');
        return dash >= 0 && long.TryParse(id[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : -1;
    }

    /// <summary>
    /// The <c>data</c> object, padded so that the envelope around it is <see cref="EnvelopeBytes"/> long.
    /// The same bytes are published to Herald and sent by the wire-limit loop and the baseline.
    /// </summary>
    public static string Data(long sequence) => Padded.Value.Replace("{seq}", sequence.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The JSON body of <c>POST /api/v1/events/create</c> (one element of a batch).</summary>
    public static string CreateRequest(string run, long sequence, string accountId) =>
        $$"""{"id":"{{Id(run, sequence)}}","name":"{{Name}}","account_id":"{{accountId}}","data":{{Data(sequence)}}}""";

    /// <summary>The envelope as Herald would send it, for the senders that bypass Herald.</summary>
    public static byte[] Envelope(string run, long sequence, string accountId, DateTimeOffset createdAt) =>
        WebhookEnvelope.Serialize(Id(run, sequence), Name, accountId, null, Encoding.UTF8.GetBytes(Data(sequence)), createdAt, "2026-02-27");

    private static readonly Lazy<string> Padded = new(() =>
    {
        const string Template = """{"object":{"id":"int_{seq}","amount":1024.5,"currency":"USD","status":"SUCCEEDED","merchant_order_id":"order_{seq}","description":"{pad}"}}""";
        var sample = WebhookEnvelope.Serialize(
            Id("r0000", 100_000), Name, "acct_0000000000000000000000", null, Encoding.UTF8.GetBytes(Template.Replace("{seq}", "100000", StringComparison.Ordinal).Replace("{pad}", string.Empty, StringComparison.Ordinal)),
            DateTimeOffset.UnixEpoch, "2026-02-27");
        return Template.Replace("{pad}", new string('x', Math.Max(0, EnvelopeBytes - sample.Length)), StringComparison.Ordinal);
    });
}
