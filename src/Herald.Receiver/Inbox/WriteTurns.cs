namespace Herald.Receiver.Inbox;

/// <summary>
/// One write turn at a time for this process's writers of a single-writer database, handed out in arrival order
/// except that acknowledgements go first: a sender waits for its 200, the processor only for its next event. Waiting
/// is asynchronous and costs no polling.
/// </summary>
internal sealed class WriteTurns
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource<bool>> _acknowledgements = new();
    private readonly Queue<TaskCompletionSource<bool>> _others = new();
    private bool _taken;

    /// <summary>Waits for the turn; false when <paramref name="patience"/> ran out first (then no turn is held).</summary>
    public async ValueTask<bool> TakeAsync(bool acknowledgement, TimeSpan? patience, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        lock (_lock)
        {
            if (!_taken)
            {
                _taken = true;
                return true;
            }

            waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            (acknowledgement ? _acknowledgements : _others).Enqueue(waiter);
        }

        try
        {
            return patience is { } wait
                ? await waiter.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false)
                : await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            // Withdraw; if the turn was handed over meanwhile, pass it on.
            if (!waiter.TrySetResult(false) && waiter.Task.Result)
            {
                Release();
            }

            if (exception is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>Hands the turn to the next waiter (acknowledgements first), or frees it.</summary>
    public void Release()
    {
        lock (_lock)
        {
            while (_acknowledgements.TryDequeue(out var next) || _others.TryDequeue(out next))
            {
                // A waiter that gave up has already completed its task with false: skip it.
                if (next.TrySetResult(true))
                {
                    return;
                }
            }

            _taken = false;
        }
    }
}
