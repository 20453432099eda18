using System.Threading.Channels;

namespace Herald.Internal;

/// <summary>
/// Group commit: requests that arrive while a commit is in progress are committed together by the next one, in one
/// transaction, and each caller learns its own result only after that commit. Durability is unchanged (nothing is
/// acknowledged before its commit); the cost of a commit (an fsync) is shared by everyone who was waiting for it.
/// A lone request is committed at once: nothing waits for company.
/// </summary>
/// <typeparam name="TRequest">One caller's request.</typeparam>
/// <typeparam name="TResult">One caller's result; a per-request failure belongs in the result, not in an exception.</typeparam>
internal sealed class GroupCommitQueue<TRequest, TResult> : IAsyncDisposable
{
    private readonly Channel<(TRequest Request, TaskCompletionSource<TResult> Completion)> _queue =
        Channel.CreateUnbounded<(TRequest, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> _commit;
    private readonly Func<TRequest, int> _weight;
    private readonly int _maxWeight;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <summary>Starts the queue.</summary>
    /// <param name="commit">Commits a group in one transaction and returns one result per request, in order. If it throws, every request of the group fails with that exception.</param>
    /// <param name="maxWeight">A group stops growing once its requests weigh this much.</param>
    /// <param name="weight">A request's weight, e.g. how many rows it writes; default 1.</param>
    public GroupCommitQueue(Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> commit, int maxWeight, Func<TRequest, int>? weight = null)
    {
        _commit = commit;
        _maxWeight = maxWeight;
        _weight = weight ?? (static _ => 1);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a request; completes after the commit that holds it.</summary>
    public Task<TResult> CommitAsync(TRequest request)
    {
        var completion = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((request, completion)))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue<TRequest, TResult>), "The store is shutting down.");
        }

        return completion.Task;
    }

    private async Task RunAsync()
    {
        var group = new List<(TRequest Request, TaskCompletionSource<TResult> Completion)>();
        var requests = new List<TRequest>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                group.Clear();
                requests.Clear();
                var weight = 0;
                while (weight < _maxWeight && _queue.Reader.TryRead(out var entry))
                {
                    group.Add(entry);
                    requests.Add(entry.Request);
                    weight += _weight(entry.Request);
                }

                try
                {
                    var results = await _commit(requests, _stopping.Token).ConfigureAwait(false);
                    for (var i = 0; i < group.Count; i++)
                    {
                        group[i].Completion.TrySetResult(results[i]);
                    }
                }
#pragma warning disable CA1031 // The failure belongs to the callers: each of them gets it.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    foreach (var (_, completion) in group)
                    {
                        completion.TrySetException(exception);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            while (_queue.Reader.TryRead(out var entry))
            {
                entry.Completion.TrySetException(new ObjectDisposedException(nameof(GroupCommitQueue<TRequest, TResult>), "The store is shutting down."));
            }
        }
    }

    /// <summary>Commits what is queued (for up to ten seconds), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
