namespace Herald.Receiver.Processing;

/// <summary>Wakes the processor in-process when the endpoint wrote a new event, instead of waiting for the next poll.</summary>
internal sealed class InboxSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Dispose() => _semaphore.Dispose();

    public void Notify()
    {
        if (_semaphore.CurrentCount == 0)
        {
            try
            {
                _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another writer signalled first: one wake-up is enough.
            }
        }
    }

    /// <summary>Waits for a signal or for <paramref name="pollInterval"/> on <paramref name="timeProvider"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan pollInterval, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _semaphore.WaitAsync(linked.Token);
        var delay = Task.Delay(pollInterval, timeProvider, linked.Token);
        await Task.WhenAny(signalled, delay).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(signalled, delay).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loser of the race was cancelled.
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
