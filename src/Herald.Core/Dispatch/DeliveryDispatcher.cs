using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Herald.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Sends deliveries: those ingest hands over in memory (<see cref="IDeliveryHandOff"/>, no claim needed) and those it
/// claims from the database in batches under a lease (retries coming due, other nodes' expired leases). Each endpoint
/// gets its share through its <see cref="EndpointController"/> (adaptive concurrency, circuit breaker); outcomes go to
/// the <see cref="DeliveryOutcomeWriter"/>.
/// </summary>
/// <remarks>
/// Memory is bounded: at most <see cref="DeliveryOptions.MaxInFlight"/> attempts run and as many claimed deliveries wait
/// behind them. A delivery waits at most about one attempt (waiting is capped by each endpoint's limit and given back
/// when the limit drops or the circuit opens), well inside its lease. When outcomes cannot be written fast enough the
/// dispatcher stops taking work until they catch up, so a stalled database never turns into leases expiring on
/// deliveries whose attempts were made.
/// </remarks>
internal sealed partial class DeliveryDispatcher : BackgroundService, IDeliveryHandOff
{
    private readonly IDeliveryStore _store;
    private readonly IWebhookSender _sender;
    private readonly RetryPolicy _policy;
    private readonly DeliveryOutcomeWriter _outcomes;
    private readonly WakeSignal _signal;
    private readonly TimeProvider _timeProvider;
    private readonly DeliveryOptions _options;
    private readonly HeraldMetrics _metrics;
    private readonly ILogger<DeliveryDispatcher> _logger;
    private readonly string _node = $"{Environment.MachineName}-{Environment.ProcessId}-{Ids.RandomBase64Url(4)}";

    // Deliveries handed over by ingest are written leased under this token; claims draw a fresh one each.
    private readonly long _handOffToken = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly ConcurrentDictionary<string, EndpointController> _endpoints = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _held;
    private int _reserved;
    private long _heartbeat;
    private long _lastDatabaseFailure;
    private volatile bool _stopping;

    public DeliveryDispatcher(
        IDeliveryStore store,
        IWebhookSender sender,
        RetryPolicy policy,
        DeliveryOutcomeWriter outcomes,
        WakeSignal signal,
        TimeProvider timeProvider,
        IOptions<DeliveryOptions> options,
        HeraldMetrics metrics,
        ILogger<DeliveryDispatcher> logger)
    {
        _store = store;
        _sender = sender;
        _policy = policy;
        _outcomes = outcomes;
        _signal = signal;
        _timeProvider = timeProvider;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("herald.dispatcher.in_flight", () => Volatile.Read(ref _running), "{attempt}", "Attempts being sent by this node.");
        metrics.Meter.CreateObservableGauge("herald.dispatcher.held", () => Volatile.Read(ref _held), "{delivery}", "Deliveries this node holds in memory: in flight and waiting behind them.");
        metrics.Meter.CreateObservableGauge("herald.dispatcher.open_circuits", CountOpenCircuits, "{webhook}", "Endpoints whose circuit is open on this node.");
        metrics.ObserveOutcomeWriter(() => outcomes.Backlog, () => outcomes.FailingFor);
    }

    /// <summary>This node's identity, written as the lease owner of what it claims.</summary>
    public string Node => _node;

    /// <summary>Attempts currently being sent by this node.</summary>
    public int InFlight => Volatile.Read(ref _running);

    /// <summary>When the claim loop last went round (a <see cref="TimeProvider"/> timestamp); see <see cref="DispatcherHealthCheck"/>.</summary>
    public long Heartbeat => Volatile.Read(ref _heartbeat);

    /// <summary>Whether the claim loop has ended while the host is not stopping (it should never end on its own).</summary>
    public bool HasDied => ExecuteTask is { IsCompleted: true } && !_stopping;

    /// <summary>The endpoint's controller, for tests and diagnostics.</summary>
    internal EndpointController? Endpoint(string webhookId) => _endpoints.GetValueOrDefault(webhookId);

    /// <summary>
    /// After the database was away, expired leases are left alone this long: every live node's writer retries within
    /// <see cref="DeliveryOutcomeWriter.LongestPause"/> and writes the outcomes it holds first, so nothing it already
    /// sent is taken over and sent again. Only then are dead nodes' leases taken over.
    /// </summary>
    private static readonly TimeSpan TakeOverSettle = DeliveryOutcomeWriter.LongestPause * 2.5;

    private int MaxHeld => _options.MaxInFlight * 2;

    private bool MayTakeOverExpiredLeases
    {
        get
        {
            if (_outcomes.FailingSince != 0)
            {
                Volatile.Write(ref _lastDatabaseFailure, _timeProvider.GetTimestamp());
                return false;
            }

            var failure = Volatile.Read(ref _lastDatabaseFailure);
            return failure == 0 || _timeProvider.GetElapsedTime(failure) >= TakeOverSettle;
        }
    }

    private bool OutcomesLag => _outcomes.Backlog > _options.MaxInFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, _node);
        while (!stoppingToken.IsCancellationRequested)
        {
            Volatile.Write(ref _heartbeat, _timeProvider.GetTimestamp());
            var keepGoing = false;
            try
            {
                keepGoing = await ClaimAndStartAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must outlive any failure: a database away for hours included.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _lastDatabaseFailure, _timeProvider.GetTimestamp());
                LogClaimFailed(_logger, exception);
            }

            if (!keepGoing)
            {
                try
                {
                    await _signal.WaitAsync(_options.PollInterval, stoppingToken);
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
        var held = Volatile.Read(ref _held);
        var limit = Math.Min(MaxHeld - held - Volatile.Read(ref _reserved), _options.ClaimBatchSize);

        // Every finished attempt wakes this loop; claiming one or two at a time would spend a write transaction per
        // delivery. While the node holds work, wait until a quarter batch fits.
        if (limit <= 0 || OutcomesLag || (held > 0 && limit < _options.ClaimBatchSize / 4))
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var excluded = new List<string>();
        var largestLimit = _options.InitialConcurrencyPerEndpoint;
        foreach (var (webhookId, endpoint) in _endpoints)
        {
            if (!endpoint.WantsMore(nowMs))
            {
                excluded.Add(webhookId);
            }

            largestLimit = Math.Max(largestLimit, endpoint.Limit);
        }

        var claimStarted = _timeProvider.GetTimestamp();
        var claimed = await _store.ClaimDueAsync(
            new ClaimRequest(
                _node, Random.Shared.NextInt64(1, long.MaxValue), nowMs, (now + _options.LeaseDuration).ToUnixTimeMilliseconds(), limit, 2 * largestLimit, excluded,
                MayTakeOverExpiredLeases),
            cancellationToken);
        _metrics.Claim(_timeProvider.GetElapsedTime(claimStarted));

        List<ClaimedDelivery>? release = null;
        foreach (var delivery in claimed)
        {
            var endpoint = EndpointFor(delivery.WebhookId);
            switch (endpoint.Admit(delivery, nowMs))
            {
                case Admission.Start:
                    Interlocked.Increment(ref _held);
                    Start(delivery, endpoint);
                    break;
                case Admission.Wait:
                    Interlocked.Increment(ref _held);
                    break;
                default:
                    (release ??= []).Add(delivery);
                    break;
            }
        }

        // Give back what an endpoint cannot take now, for this or another node to claim later.
        if (release is not null)
        {
            await ReleaseAsync(release, cancellationToken);
        }

        return claimed.Count == limit && release is null;
    }

    public DeliveryLease? TryReserve(string webhookId)
    {
        if (_stopping || OutcomesLag || Volatile.Read(ref _held) + Volatile.Read(ref _reserved) >= MaxHeld || !EndpointFor(webhookId).TryReserve())
        {
            return null;
        }

        Interlocked.Increment(ref _reserved);
        return new DeliveryLease(_node, _handOffToken, (_timeProvider.GetUtcNow() + _options.LeaseDuration).ToUnixTimeMilliseconds());
    }

    public void Cancel(string webhookId)
    {
        EndpointFor(webhookId).Unreserve();
        Interlocked.Decrement(ref _reserved);
    }

    public void Dispatch(ClaimedDelivery delivery)
    {
        var endpoint = EndpointFor(delivery.WebhookId);
        var admission = endpoint.AdmitReserved(delivery, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        Interlocked.Decrement(ref _reserved);
        if (admission == Admission.Release)
        {
            ReleaseInBackground([delivery]);
            return;
        }

        Interlocked.Increment(ref _held);
        if (admission == Admission.Start)
        {
            Start(delivery, endpoint);
        }
    }

    public long? PausedUntil(string webhookId) => Endpoint(webhookId)?.OpenUntil(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds());

    public void ProbeNow(string webhookId) => Endpoint(webhookId)?.ProbeNow(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds());

    private EndpointController EndpointFor(string webhookId) =>
        _endpoints.GetOrAdd(webhookId, static (_, dispatcher) => new EndpointController(dispatcher._options, dispatcher._timeProvider), this);

    private void Start(ClaimedDelivery delivery, EndpointController endpoint)
    {
        Interlocked.Increment(ref _running);
        _ = RunAsync(delivery, endpoint);
    }

    /// <summary>Sends the delivery, then whatever waits behind it on the same endpoint, on one task.</summary>
    private async Task RunAsync(ClaimedDelivery first, EndpointController endpoint)
    {
        try
        {
            for (var delivery = first; delivery is not null;)
            {
                var (signal, duration, retryAfter, closes) = await AttemptAsync(delivery);
                var completion = endpoint.Complete(signal, duration, retryAfter, takeNext: !_stopping, closes);
                Interlocked.Decrement(ref _held);
                Interlocked.Add(ref _held, -completion.Released.Count);
                if (completion.CircuitOpenedUntil is { } until)
                {
                    LogCircuitOpened(_logger, delivery.WebhookId, DateTimeOffset.FromUnixTimeMilliseconds(until));
                    _ = ReleaseAndDeferAsync(completion.Released, delivery.WebhookId, until);
                }
                else if (completion.Released.Count > 0)
                {
                    ReleaseInBackground(completion.Released);
                }

                delivery = completion.Next;
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }

            // A freed slot may let an endpoint take more: let the claim loop look again.
            _signal.Notify();
        }
    }

    /// <summary>Makes one attempt (or none, when the webhook can no longer take it) and hands its outcome to the writer. Never throws.</summary>
    private async Task<(AttemptSignal Signal, TimeSpan Duration, TimeSpan? RetryAfter, bool ClosesConnections)> AttemptAsync(ClaimedDelivery delivery)
    {
        try
        {
            if (RetryPolicy.DecideWithoutAttempt(delivery) is { } cancelled)
            {
                _metrics.Outcome(ResultName(cancelled));
                await _outcomes.WriteAsync(cancelled);
                return (AttemptSignal.Refused, TimeSpan.Zero, null, false);
            }

            // A child of the event's ingest span; the HTTP handler sends its context to the endpoint as traceparent.
            using var activity = HeraldActivities.StartAttempt(delivery.TraceParent);
            var traced = activity.IsAllDataRequested;
            if (traced)
            {
                activity.SetTag("herald.delivery.id", delivery.DeliveryId);
                activity.SetTag("herald.webhook.id", delivery.WebhookId);
                activity.SetTag("herald.event.id", delivery.EventId);
                activity.SetTag("herald.attempt.number", delivery.AttemptCount + 1);
            }

            var now = _timeProvider.GetUtcNow();

            // In-flight attempts are never cancelled by shutdown: they finish within the timeout, or their lease expires.
            var result = await _sender.SendAsync(delivery.Url, delivery.SigningSecret(now.ToUnixTimeMilliseconds()), delivery.Body, CancellationToken.None);
            var outcome = _policy.Decide(delivery, result, _timeProvider.GetUtcNow(), Random.Shared.NextDouble());
            if (traced)
            {
                activity.SetTag("http.response.status_code", result.StatusCode);
                activity.SetTag("herald.delivery.result", ResultName(outcome));
                if (outcome.NewStatus != DeliveryStatus.Success)
                {
                    activity.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");
                }
            }

            _metrics.Attempt(result.Duration, outcome.NewStatus == DeliveryStatus.Success, result.StatusCode, delivery.WebhookId);
            _metrics.Outcome(ResultName(outcome));
            LogAttempt(_logger, delivery.DeliveryId, delivery.WebhookId, result.StatusCode, outcome.NewStatus);
            if (outcome.Disable is { } disable)
            {
                LogWebhookDisabled(_logger, delivery.WebhookId, disable.Reason);
            }

            await _outcomes.WriteAsync(outcome);
            var signal = outcome.NewStatus == DeliveryStatus.Success ? AttemptSignal.Success
                : result.StatusCode is null or >= 500 or 429 ? AttemptSignal.Overload
                : AttemptSignal.Refused;
            // An endpoint asking for time (429/503 with Retry-After) is paused for as long as its delivery waits: the
            // asked time clamped to [d, 2d] of the schedule (the spec's rule), never longer.
            var pause = result is { StatusCode: 429 or 503, RetryAfter: not null } && outcome.NextAttemptAt is { } next
                ? TimeSpan.FromMilliseconds(Math.Max(0, next - _timeProvider.GetUtcNow().ToUnixTimeMilliseconds()))
                : (TimeSpan?)null;
            return (signal, result.Duration, pause, result.ClosesConnections);
        }
#pragma warning disable CA1031 // One delivery's surprise must not take the dispatcher down; its lease expires and it is tried again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogAttemptCrashed(_logger, delivery.DeliveryId, exception);
            return (AttemptSignal.Overload, TimeSpan.Zero, null, false);
        }
    }

    private static string ResultName(DeliveryOutcome outcome) => outcome.NewStatus == DeliveryStatus.Queued ? "retry" : outcome.NewStatus;

    /// <summary>Gives deliveries back; those of an endpoint whose circuit is open come due again only at its probe time.</summary>
    private async Task ReleaseAsync(IReadOnlyList<ClaimedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var byEndpoint in deliveries.GroupBy(d => d.WebhookId, StringComparer.Ordinal))
        {
            await _store.ReleaseAsync([.. byEndpoint], _node, Endpoint(byEndpoint.Key)?.OpenUntil(now), cancellationToken);
        }
    }

    private void ReleaseInBackground(IReadOnlyList<ClaimedDelivery> deliveries) => _ = ReleaseQuietlyAsync(deliveries);

    private async Task ReleaseQuietlyAsync(IReadOnlyList<ClaimedDelivery> deliveries)
    {
        try
        {
            await ReleaseAsync(deliveries, CancellationToken.None);
        }
#pragma warning disable CA1031 // A release that fails costs only time: the leases expire.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogReleaseFailed(_logger, deliveries.Count, exception);
        }
    }

    /// <summary>The circuit opened: give back what waited, then move the webhook's due deliveries to the probe time (in that order, so none is missed).</summary>
    private async Task ReleaseAndDeferAsync(IReadOnlyList<ClaimedDelivery> released, string webhookId, long until)
    {
        await ReleaseQuietlyAsync(released);
        try
        {
            await _store.DeferAsync(webhookId, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), until, CancellationToken.None);
        }
#pragma warning disable CA1031 // Deferring is an optimisation: without it the open circuit still holds the deliveries back.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogReleaseFailed(_logger, 0, exception);
        }
    }

    private int CountOpenCircuits()
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        return _endpoints.Values.Count(endpoint => endpoint.IsOpen(now));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        await base.StopAsync(cancellationToken);

        // Claimed but never started: hand them back so a restart (or another node) takes them at once.
        var waiting = _endpoints.Values.SelectMany(endpoint => endpoint.DrainWaiting()).ToList();
        Interlocked.Add(ref _held, -waiting.Count);
        LogStopping(_logger, InFlight, waiting.Count);
        try
        {
            if (waiting.Count > 0)
            {
                await ReleaseAsync(waiting, cancellationToken);
            }

            if (Volatile.Read(ref _running) > 0)
            {
                await _drained.Task.WaitAsync(cancellationToken);
            }
        }
#pragma warning disable CA1031 // Stopping must not fail: whatever is unfinished keeps its lease and is retried after it expires.
        catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            LogStopIncomplete(_logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher started as node {Node}")]
    private static partial void LogStarted(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher stopping; waiting for {Count} attempts in flight, releasing {Waiting} not started")]
    private static partial void LogStopping(ILogger logger, int count, int waiting);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} to {WebhookId}: HTTP {StatusCode} -> {Status}")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, string webhookId, int? statusCode, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} disabled: {Reason}")]
    private static partial void LogWebhookDisabled(ILogger logger, string webhookId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of webhook {WebhookId} opened until {Until}: its deliveries wait without spending their retries")]
    private static partial void LogCircuitOpened(ILogger logger, string webhookId, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming deliveries failed; retrying after the poll interval")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving back {Count} claimed deliveries failed; their leases will expire instead")]
    private static partial void LogReleaseFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt of delivery {DeliveryId} failed unexpectedly; it will be retried when its lease expires")]
    private static partial void LogAttemptCrashed(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dispatcher stopped before every attempt in flight finished; their leases expire and they are retried")]
    private static partial void LogStopIncomplete(ILogger logger, Exception exception);
}
