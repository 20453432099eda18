using System.Threading.Channels;

namespace Herald.Internal;

/// <summary>
/// Wakes a background loop in-process when work appears, so it need not poll its database per row; the poll
/// interval only catches work that comes due by time or is written by another process. Many notifications
/// before one wait coalesce into one wake-up.
/// </summary>
internal sealed class WakeSignal(TimeProvider timeProvider)
{
    private readonly Channel<bool> _wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _wakeups.Writer.TryWrite(true);

    /// <summary>Returns when notified or after <paramref name="timeout"/> of <see cref="TimeProvider"/> time, whichever is first.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_wakeups.Reader.TryRead(out _))
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, timeProvider, cts.Token);
        var wake = _wakeups.Reader.WaitToReadAsync(cts.Token).AsTask();
        await Task.WhenAny(delay, wake).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, wake).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled.
        }

        _wakeups.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
