using Herald.Testing;

namespace Herald.Server.Tests.Observability;

/// <summary>
/// A test's own requests at a receiver, told apart by path: other test runs on the machine (other processes) may reuse
/// a loopback port that one of their receivers had and still send there, so a receiver can see requests that are not
/// the test's.
/// </summary>
internal static class ReceiverRequests
{
    public static List<ReceivedRequest> To(this WebhookReceiver receiver, string path) =>
        [.. receiver.Requests.Where(r => r.Path == path)];

    /// <summary>Waits for the <paramref name="number"/>th request to <paramref name="path"/> and returns it.</summary>
    public static async Task<ReceivedRequest> WaitForAsync(this WebhookReceiver receiver, string path, int number = 1)
    {
        await receiver.WaitUntilAsync(requests => requests.Count(r => r.Path == path) >= number);
        return receiver.To(path)[number - 1];
    }
}
