using System.Collections.Concurrent;
using System.Data.Common;
using Herald.Receiver.Events;
using Herald.Receiver.Inbox;
using Herald.Receiver.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Receiver.Processing;

/// <summary>
/// Claims due events from the inbox with a lease, runs their handlers (at most <see cref="HeraldReceiverOptions.MaxConcurrency"/>
/// at once), and commits the completion in the handler's transaction. Failures retry with exponential backoff
/// and park after <see cref="HeraldReceiverOptions.MaxAttempts"/> tries.
/// </summary>
/// <remarks>
/// Every claim carries its own lease token, renewed while the handler runs (<see cref="LeaseKeeper"/>); only the
/// current claim can complete, fail or release the event. In this process one event never runs twice at once: a
/// claim of an event whose earlier run is still going (its lease was lost meanwhile) waits for that run to end.
/// </remarks>
internal sealed class InboxProcessor : BackgroundService
{
    private readonly SqlInboxStore _store;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly HandlerRegistration[] _registrations;
    private readonly HeraldReceiverOptions _options;
    private readonly ILogger<InboxProcessor> _logger;
    private readonly IInboxObserver[] _observers;
    private readonly ConcurrentDictionary<Type, HandlerRegistration[]> _handlersByType = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    // Who holds a claim, for people reading the table; ownership itself is the per-claim lease token.
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public InboxProcessor(
        SqlInboxStore store,
        IServiceScopeFactory scopeFactory,
        IEnumerable<HandlerRegistration> registrations,
        IOptions<HeraldReceiverOptions> options,
        ILogger<InboxProcessor> logger,
        IEnumerable<IInboxObserver> observers)
    {
        _store = store;
        _scopeFactory = scopeFactory;
        _registrations = [.. registrations];
        _options = options.Value;
        _logger = logger;
        _observers = [.. observers];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.ProcessInBackground)
        {
            return;
        }

        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var held = 1;
                while (slots.Wait(0, CancellationToken.None))
                {
                    held++;
                }

                // A pass sees the inbox at least as of now (the claim reads the clock again, later).
                var asOf = _store.Now;
                IReadOnlyList<ClaimedEvent> claimed;
                try
                {
                    claimed = await _store.ClaimAsync(held, _owner, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (IsInboxFailure(exception) && !stoppingToken.IsCancellationRequested)
                {
                    slots.Release(held);
                    Log.ClaimFailed(_logger, exception);
                    await _store.NewEvents.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (held > claimed.Count)
                {
                    slots.Release(held - claimed.Count);
                }

                foreach (var item in claimed)
                {
                    Start(item, slots, stoppingToken);
                }

                foreach (var observer in _observers)
                {
                    observer.ClaimPassCompleted(asOf, claimed.Count);
                }

                if (claimed.Count < held)
                {
                    await _store.NewEvents.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            // Let running handlers see the cancellation and give their events back before the host stops.
            await Task.WhenAll(_running.Values).ConfigureAwait(false);
        }
    }

    private static bool IsInboxFailure(Exception exception) =>
        exception is DbException or InvalidOperationException or TimeoutException or IOException;

    /// <summary>Runs a claimed event on the thread pool, after any earlier run of the same event in this process.</summary>
    private void Start(ClaimedEvent item, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        _running.TryGetValue(item.EventId, out var previous);
        var task = Task.Run(() => RunAsync(item, previous, slots, stoppingToken), CancellationToken.None);
        _running[item.EventId] = task;
        _ = task.ContinueWith(
            finished => _running.TryRemove(new KeyValuePair<string, Task>(item.EventId, finished)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunAsync(ClaimedEvent item, Task? previous, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            if (previous is not null)
            {
                // Its lease lapsed while it ran, so the event was claimed again: never run the same event twice at once.
                Log.WaitingForEarlierRun(_logger, item.EventId);
                await previous.ConfigureAwait(false);
            }

            await ProcessAsync(item, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Processes one claimed event and reports the outcome; never throws.</summary>
    internal async Task ProcessAsync(ClaimedEvent item, CancellationToken stoppingToken)
    {
        var outcome = InboxOutcome.NotRecorded;
        try
        {
            outcome = await ProcessClaimAsync(item, stoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing may escape: the claim lapses and the event is tried again (and parked after MaxAttempts).
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.OutcomeNotRecorded(_logger, exception, item.EventId);
        }
        finally
        {
            foreach (var observer in _observers)
            {
                observer.Finished(item.EventId, outcome);
            }
        }
    }

    private async Task<InboxOutcome> ProcessClaimAsync(ClaimedEvent item, CancellationToken stoppingToken)
    {
        var attempt = (int)item.Attempts;
        if (attempt > _options.MaxAttempts)
        {
            // Every try so far ended without an outcome (the process died or lost the inbox mid-handler): stop here.
            var abandoned = new InvalidOperationException($"No try of {_options.MaxAttempts} recorded an outcome: the process stopped or lost the inbox while the handler ran.");
            Log.Parked(_logger, abandoned, item.EventId, item.Name, attempt);
            return await RecordFailureAsync(item, abandoned, park: true, TimeSpan.Zero).ConfigureAwait(false);
        }

        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = WebhookEventParser.ParseOwned(item.Body);
            webhookEvent.Materialize();
        }
#pragma warning disable CA1031 // A body that cannot be read never will be, whatever the exception: park it at once, visibly.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.Parked(_logger, exception, item.EventId, item.Name, attempt);
            return await RecordFailureAsync(item, exception, park: true, TimeSpan.Zero).ConfigureAwait(false);
        }

        var lease = new LeaseKeeper(_store, item, _options.LeaseDuration, _logger, _observers, stoppingToken);
        await using (lease.ConfigureAwait(false))
        {
            using var handlerToken = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
            try
            {
                foreach (var observer in _observers)
                {
                    observer.HandlerStarting(item.EventId, attempt);
                }

                if (await HandleAsync(item, webhookEvent, attempt, handlerToken.Token).ConfigureAwait(false))
                {
                    Log.Processed(_logger, item.EventId, item.Name, attempt);
                    return InboxOutcome.Processed;
                }

                Log.LeaseLost(_logger, item.EventId);
                return InboxOutcome.LeaseLost;
            }
            catch (Exception) when (lease.IsLost)
            {
                // The claim is someone else's (or lapsed): whatever the handler did was rolled back; record nothing.
                Log.LeaseLost(_logger, item.EventId);
                return InboxOutcome.LeaseLost;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutdown interrupted the handler before it committed: give the event back without counting the try.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                return await _store.ReleaseAsync(item.EventId, item.LeaseToken, timeout.Token).ConfigureAwait(false)
                    ? InboxOutcome.Released
                    : InboxOutcome.LeaseLost;
            }
#pragma warning disable CA1031 // A handler may throw anything; every failure is recorded and retried.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                var park = attempt >= _options.MaxAttempts;
                var delay = RetryDelay(attempt);
                if (park)
                {
                    Log.Parked(_logger, exception, item.EventId, item.Name, attempt);
                }
                else
                {
                    Log.HandlerFailed(_logger, exception, item.EventId, item.Name, attempt, delay);
                }

                return await RecordFailureAsync(item, exception, park, delay).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the handlers and commits the completion; <see langword="false"/> when the claim was lost (rolled back).</summary>
    private async Task<bool> HandleAsync(ClaimedEvent item, WebhookEvent webhookEvent, int attempt, CancellationToken cancellationToken)
    {
        var handlers = _handlersByType.GetOrAdd(webhookEvent.GetType(), type => [.. _registrations.Where(r => r.EventType.IsAssignableFrom(type))]);
        var scope = _scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var connection = await _store.OpenForProcessingAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // Ordering is tracked only for ids the inbox can key on (see InboxText.IsKey); others are handled untracked.
                var objectId = webhookEvent.ObjectId is { } candidate && InboxText.IsKey(candidate) ? candidate : null;
                var createdAt = webhookEvent.CreatedAt?.ToUnixTimeMilliseconds();

                // Read before the transaction starts: in SQLite a read would pin the transaction's snapshot.
                var lastApplied = objectId is null ? null : await SqlInboxStore.GetLastAppliedAsync(connection, null, objectId, cancellationToken).ConfigureAwait(false);
                var isStale = lastApplied is { } last && createdAt is { } created && last > created;
                var transaction = await _store.BeginProcessingTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var context = new WebhookContext(
                        item.EventId,
                        item.Name,
                        attempt,
                        DateTimeOffset.FromUnixTimeMilliseconds(item.ReceivedAt),
                        lastApplied is { } l ? DateTimeOffset.FromUnixTimeMilliseconds(l) : null,
                        isStale,
                        connection,
                        transaction,
                        scope.ServiceProvider);
                    foreach (var handler in handlers)
                    {
                        await handler.Invoke(scope.ServiceProvider, webhookEvent, context, cancellationToken).ConfigureAwait(false);
                    }

                    // The completion's writes take this process's write turn, but wait for it only briefly: if a
                    // handler wrote, this transaction already holds SQLite's lock and a writer may be waiting for it.
                    using var turn = await _store.TakeWriteTurnAsync(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                    if (objectId is not null && createdAt is { } appliedAt)
                    {
                        await SqlInboxStore.RecordAppliedAsync(connection, transaction, objectId, appliedAt, item.EventId, cancellationToken).ConfigureAwait(false);
                    }

                    if (!await _store.CompleteAsync(connection, transaction, item.EventId, item.LeaseToken, cancellationToken).ConfigureAwait(false))
                    {
                        await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                        return false;
                    }

                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    return true;
                }
            }
        }
    }

    private async Task<InboxOutcome> RecordFailureAsync(ClaimedEvent item, Exception exception, bool park, TimeSpan delay)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var recorded = await _store.FailAsync(item.EventId, item.LeaseToken, $"{exception.GetType().FullName}: {exception.Message}", park, delay, timeout.Token).ConfigureAwait(false);
            return !recorded ? InboxOutcome.LeaseLost : park ? InboxOutcome.Parked : InboxOutcome.Failed;
        }
        catch (Exception failure) when (IsInboxFailure(failure) || failure is OperationCanceledException)
        {
            Log.OutcomeNotRecorded(_logger, failure, item.EventId);
            return InboxOutcome.NotRecorded;
        }
    }

    /// <summary>The delay after try <paramref name="attempt"/> failed: base × 2^(attempt − 1), capped.</summary>
    internal TimeSpan RetryDelay(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = _options.RetryBaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= _options.MaxRetryDelay.Ticks ? _options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}
