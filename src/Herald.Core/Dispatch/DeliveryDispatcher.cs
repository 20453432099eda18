using System.Collections.Concurrent;
using Herald.Core.Deliveries;
using Herald.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Claims due deliveries in batches under a lease, sends each with <see cref="WebhookSender"/> within a global
/// and a per-endpoint concurrency limit, and hands outcomes to <see cref="DeliveryOutcomeWriter"/>.
/// </summary>
/// <remarks>
/// Each endpoint may have <c>MaxConcurrencyPerEndpoint</c> attempts in flight and as many claimed deliveries
/// waiting behind them in memory; a finished attempt starts the next waiting one without a database round
/// trip. A waiting delivery waits at most one attempt (at most <c>Timeout</c>), well inside its lease. Endpoints
/// whose slots and queue are full are left out of the next claim, so one slow or dead endpoint cannot hold
/// the others' work.
/// </remarks>
internal sealed partial class DeliveryDispatcher(
    IDeliveryStore store,
    IWebhookSender sender,
    RetryPolicy policy,
    DeliveryOutcomeWriter outcomes,
    WakeSignal signal,
    TimeProvider timeProvider,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private readonly DeliveryOptions _options = options.Value;
    private readonly string _node = $"{Environment.MachineName}-{Environment.ProcessId}-{Ids.RandomBase64Url(4)}";
    private readonly ConcurrentDictionary<string, EndpointSlots> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _inFlightCount;
    private int _waitingCount;
    private volatile bool _stopping;

    /// <summary>Attempts currently being sent by this node.</summary>
    public int InFlight => Volatile.Read(ref _inFlightCount);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, _node);
        while (!stoppingToken.IsCancellationRequested)
        {
            var keepGoing = false;
            try
            {
                keepGoing = await ClaimAndStartAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogClaimFailed(logger, exception);
            }

            if (!keepGoing)
            {
                try
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims one batch; true when the batch was full and more may be due right now.</summary>
    private async Task<bool> ClaimAndStartAsync(CancellationToken cancellationToken)
    {
        var perEndpoint = _options.MaxConcurrencyPerEndpoint;
        var limit = Math.Min(_options.MaxInFlight - InFlight - Volatile.Read(ref _waitingCount), _options.ClaimBatchSize);
        if (limit <= 0)
        {
            return false;
        }

        var full = _endpoints.Where(pair => pair.Value.Occupancy >= 2 * perEndpoint).Select(pair => pair.Key).ToList();
        var now = timeProvider.GetUtcNow();
        var claimed = await store.ClaimDueAsync(
            new ClaimRequest(_node, now.ToUnixTimeMilliseconds(), (now + _options.LeaseDuration).ToUnixTimeMilliseconds(), limit, perEndpoint, full),
            cancellationToken);

        var release = new List<string>();
        foreach (var delivery in claimed)
        {
            var slots = _endpoints.GetOrAdd(delivery.WebhookId, _ => new EndpointSlots());
            switch (slots.Admit(delivery, perEndpoint))
            {
                case Admission.Start:
                    Start(delivery);
                    break;
                case Admission.Wait:
                    Interlocked.Increment(ref _waitingCount);
                    break;
                default:
                    release.Add(delivery.DeliveryId);
                    break;
            }
        }

        // Give back what an endpoint cannot take now, for this or another node to claim later.
        await store.ReleaseAsync(release, _node, cancellationToken);
        return claimed.Count == limit && release.Count == 0;
    }

    private void Start(ClaimedDelivery delivery)
    {
        Interlocked.Increment(ref _inFlightCount);
        var task = Task.Run(() => AttemptAsync(delivery), CancellationToken.None);
        _inFlight[task] = true;
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task AttemptAsync(ClaimedDelivery delivery)
    {
        try
        {
            if (RetryPolicy.DecideWithoutAttempt(delivery) is not { } outcome)
            {
                var now = timeProvider.GetUtcNow();
                // In-flight attempts are never cancelled by shutdown: they finish within the timeout or their lease expires.
                var result = await sender.SendAsync(delivery.Url, delivery.SigningSecret(now.ToUnixTimeMilliseconds()), delivery.Body, CancellationToken.None);
                outcome = policy.Decide(delivery, result, timeProvider.GetUtcNow(), Random.Shared.NextDouble());
                LogAttempt(logger, delivery.DeliveryId, delivery.WebhookId, result.StatusCode, outcome.NewStatus);
            }

            await outcomes.WriteAsync(outcome);
        }
        catch (Exception exception)
        {
            // The lease stays; the delivery is attempted again once it expires.
            LogAttemptCrashed(logger, delivery.DeliveryId, exception);
        }
        finally
        {
            var next = _endpoints.TryGetValue(delivery.WebhookId, out var slots) ? slots.Finish(takeNext: !_stopping) : null;
            Interlocked.Decrement(ref _inFlightCount);
            if (next is not null)
            {
                Interlocked.Decrement(ref _waitingCount);
                Start(next);
            }
            else
            {
                // Only a slot with nothing queued behind it asks for a claim: one claim per queue-full, not per attempt.
                signal.Notify();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await base.StopAsync(cancellationToken);

        // Claimed but never started: hand them back so a restart (or another node) takes them at once.
        var waiting = _endpoints.Values.SelectMany(slots => slots.DrainWaiting()).Select(d => d.DeliveryId).ToList();
        var pending = _inFlight.Keys.ToArray();
        LogStopping(logger, pending.Length, waiting.Count);
        try
        {
            await store.ReleaseAsync(waiting, _node, cancellationToken);
            await Task.WhenAll(pending).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Host shutdown timeout: whatever is unfinished keeps its lease and is retried after it expires.
        }
    }

    private enum Admission
    {
        Start,
        Wait,
        Release,
    }

    /// <summary>One endpoint's attempts in flight and the claimed deliveries queued behind them.</summary>
    private sealed class EndpointSlots
    {
        private readonly Lock _lock = new();
        private readonly Queue<ClaimedDelivery> _waiting = new();
        private int _inFlight;

        public int Occupancy
        {
            get
            {
                lock (_lock)
                {
                    return _inFlight + _waiting.Count;
                }
            }
        }

        public Admission Admit(ClaimedDelivery delivery, int limit)
        {
            lock (_lock)
            {
                if (_inFlight < limit)
                {
                    _inFlight++;
                    return Admission.Start;
                }

                if (_waiting.Count < limit)
                {
                    _waiting.Enqueue(delivery);
                    return Admission.Wait;
                }

                return Admission.Release;
            }
        }

        /// <summary>Frees a slot, or hands it straight to the next waiting delivery.</summary>
        public ClaimedDelivery? Finish(bool takeNext)
        {
            lock (_lock)
            {
                if (takeNext && _waiting.TryDequeue(out var next))
                {
                    return next;
                }

                _inFlight--;
                return null;
            }
        }

        public List<ClaimedDelivery> DrainWaiting()
        {
            lock (_lock)
            {
                var drained = _waiting.ToList();
                _waiting.Clear();
                return drained;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher started as node {Node}")]
    private static partial void LogStarted(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher stopping; waiting for {Count} attempts in flight, releasing {Waiting} not started")]
    private static partial void LogStopping(ILogger logger, int count, int waiting);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} to {WebhookId}: HTTP {StatusCode} -> {Status}")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, string webhookId, int? statusCode, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming deliveries failed; retrying after the poll interval")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt of delivery {DeliveryId} failed unexpectedly; it will be retried when its lease expires")]
    private static partial void LogAttemptCrashed(ILogger logger, string deliveryId, Exception exception);
}
