using System.Threading.Channels;

namespace Herald.Server.Delivery;

/// <summary>
/// Wakes the dispatcher in-process when work appears (new events, retriggers, a finished attempt), so it need
/// not poll the database per row; the poll interval only catches retries coming due and other nodes' work.
/// </summary>
internal sealed class DispatchSignal(TimeProvider timeProvider)
{
    private readonly Channel<bool> _wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _wakeups.Writer.TryWrite(true);

    /// <summary>Returns when notified or after <paramref name="timeout"/> of <see cref="TimeProvider"/> time.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_wakeups.Reader.TryRead(out _))
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, timeProvider, cts.Token);
        var wake = _wakeups.Reader.WaitToReadAsync(cts.Token).AsTask();
        await Task.WhenAny(delay, wake);
        await cts.CancelAsync();
        _wakeups.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
