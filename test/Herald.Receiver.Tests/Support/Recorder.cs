using System.Collections.Concurrent;
using Herald.Receiver.Events;

namespace Herald.Receiver.Tests.Support;

/// <summary>Counts handler invocations per event id and lets tests block and fail handlers on purpose.</summary>
internal sealed class Recorder
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<(WebhookEvent Event, WebhookContext Context)> Seen { get; } = new();

    /// <summary>How many times each event id must fail before the handler succeeds.</summary>
    public ConcurrentDictionary<string, int> FailuresToInject { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, handlers wait for it (and signal <see cref="Started"/>) before returning.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IgnoreCancellation { get; set; }

    /// <summary>The most handler calls that were running at the same moment.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public int Calls(string id) => _calls.TryGetValue(id, out var count) ? count : 0;

    public async Task RecordAsync(WebhookEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        try
        {
            int seen;
            while (running > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, seen) != seen)
            {
            }

            var call = _calls.AddOrUpdate(webhookEvent.Id, 1, (_, count) => count + 1);
            Seen.Enqueue((webhookEvent, context));
            if (Gate is { } gate)
            {
                Started.TrySetResult();
                await (IgnoreCancellation ? gate.Task : gate.Task.WaitAsync(cancellationToken));
            }

            if (FailuresToInject.TryGetValue(webhookEvent.Id, out var failures) && call <= failures)
            {
                throw new InvalidOperationException($"injected failure {call} of {failures}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

internal sealed class RecordingHandler<TEvent>(Recorder recorder) : IWebhookHandler<TEvent>
    where TEvent : WebhookEvent
{
    public Task HandleAsync(TEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken) =>
        recorder.RecordAsync(webhookEvent, context, cancellationToken);
}
