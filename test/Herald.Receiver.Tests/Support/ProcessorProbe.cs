using System.Collections.Concurrent;
using Herald.Receiver.Processing;

namespace Herald.Receiver.Tests.Support;

/// <summary>
/// Sees what the inbox processor does (claim passes, handler starts, outcomes) so tests wait on what happened
/// instead of sleeping. Every report bumps <see cref="Version"/> and wakes the waiters.
/// </summary>
internal sealed class ProcessorProbe : IInboxObserver
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;
    private long _latestPassAsOf = long.MinValue;

    public ConcurrentQueue<(string EventId, InboxOutcome Outcome)> Outcomes { get; } = new();

    public ConcurrentQueue<(string EventId, int Attempt)> Starts { get; } = new();

    public long Version => Interlocked.Read(ref _version);

    public void ClaimPassCompleted(long asOf, int claimed)
    {
        lock (_gate)
        {
            _latestPassAsOf = Math.Max(_latestPassAsOf, asOf);
        }

        Pulse();
    }

    public void HandlerStarting(string eventId, int attempt)
    {
        Starts.Enqueue((eventId, attempt));
        Pulse();
    }

    public ConcurrentQueue<(string EventId, long Until)> Renewals { get; } = new();

    public void LeaseRenewed(string eventId, long until)
    {
        Renewals.Enqueue((eventId, until));
        Pulse();
    }

    public void Finished(string eventId, InboxOutcome outcome)
    {
        Outcomes.Enqueue((eventId, outcome));
        Pulse();
    }

    public IReadOnlyList<InboxOutcome> OutcomesOf(string eventId) => [.. Outcomes.Where(o => o.EventId == eventId).Select(o => o.Outcome)];

    /// <summary>Returns once the processor reports anything after <paramref name="seenVersion"/>.</summary>
    public Task WaitForChangeAsync(long seenVersion, TimeSpan timeout)
    {
        Task changed;
        lock (_gate)
        {
            if (Version > seenVersion)
            {
                return Task.CompletedTask;
            }

            changed = _changed.Task;
        }

        return changed.WaitAsync(timeout);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on every report of the processor.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? Patience);
        while (true)
        {
            var version = Version;
            if (condition())
            {
                return;
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            try
            {
                await WaitForChangeAsync(version, left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    /// <summary>Waits for a claim pass that read the inbox at or after <paramref name="asOf"/> (so it saw everything due by then).</summary>
    public Task WaitForClaimPassAsync(DateTimeOffset asOf) =>
        WaitUntilAsync(() => { lock (_gate) { return _latestPassAsOf >= asOf.ToUnixTimeMilliseconds(); } }, $"a claim pass as of {asOf:O}");

    public Task WaitForOutcomeAsync(string eventId, InboxOutcome outcome) =>
        WaitUntilAsync(() => OutcomesOf(eventId).Contains(outcome), $"outcome {outcome} of {eventId}");

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            Interlocked.Increment(ref _version);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
