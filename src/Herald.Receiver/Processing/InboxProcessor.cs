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
internal sealed class InboxProcessor : BackgroundService
{
    private readonly SqlInboxStore _store;
    private readonly InboxSignal _signal;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly HandlerRegistration[] _registrations;
    private readonly HeraldReceiverOptions _options;
    private readonly ILogger<InboxProcessor> _logger;
    private readonly ConcurrentDictionary<Type, HandlerRegistration[]> _handlersByType = new();
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public InboxProcessor(SqlInboxStore store, InboxSignal signal, IServiceScopeFactory scopeFactory, IEnumerable<HandlerRegistration> registrations, IOptions<HeraldReceiverOptions> options, ILogger<InboxProcessor> logger)
    {
        _store = store;
        _signal = signal;
        _scopeFactory = scopeFactory;
        _registrations = [.. registrations];
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        var inFlight = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
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

                IReadOnlyList<ClaimedEvent> claimed;
                try
                {
                    claimed = await _store.ClaimAsync(held, _owner, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    slots.Release(held);
                    Log.ClaimFailed(_logger, exception);
                    await _signal.WaitAsync(_options.PollInterval, _store.TimeProvider, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (held > claimed.Count)
                {
                    slots.Release(held - claimed.Count);
                }

                foreach (var item in claimed)
                {
                    var task = RunAsync(item, stoppingToken);
                    inFlight[item.EventId] = task;
                    _ = task.ContinueWith(
                        _ =>
                        {
                            inFlight.TryRemove(item.EventId, out Task? _);
                            slots.Release();
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                if (claimed.Count < held)
                {
                    await _signal.WaitAsync(_options.PollInterval, _store.TimeProvider, stoppingToken).ConfigureAwait(false);
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
            await Task.WhenAll(inFlight.Values).ConfigureAwait(false);
        }
    }

    private Task RunAsync(ClaimedEvent item, CancellationToken stoppingToken) =>
        Task.Run(() => ProcessAsync(item, stoppingToken), CancellationToken.None);

    /// <summary>Processes one claimed event; never throws.</summary>
    internal async Task ProcessAsync(ClaimedEvent item, CancellationToken stoppingToken)
    {
        var attempt = (int)item.Attempts;
        WebhookEvent webhookEvent;
        try
        {
            webhookEvent = WebhookEventParser.ParseOwned(item.Body);
            webhookEvent.Materialize();
        }
        catch (FormatException exception)
        {
            // A body that cannot be parsed never will be: park it at once, visibly.
            Log.Parked(_logger, exception, item.EventId, item.Name, attempt);
            await RecordFailureAsync(item, exception, park: true, TimeSpan.Zero).ConfigureAwait(false);
            return;
        }

        try
        {
            await HandleAsync(item, webhookEvent, attempt, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown interrupted the handler before it committed: give the event back without counting the try.
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _store.ReleaseAsync(item.EventId, _owner, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is DbException or OperationCanceledException or InvalidOperationException)
            {
                Log.OutcomeNotRecorded(_logger, exception, item.EventId);
            }
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

            await RecordFailureAsync(item, exception, park, delay).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(ClaimedEvent item, WebhookEvent webhookEvent, int attempt, CancellationToken stoppingToken)
    {
        var handlers = _handlersByType.GetOrAdd(webhookEvent.GetType(), type => [.. _registrations.Where(r => r.EventType.IsAssignableFrom(type))]);
        var scope = _scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var connection = await _store.OpenAsync(stoppingToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var objectId = webhookEvent.ObjectId;
                var createdAt = webhookEvent.CreatedAt?.ToUnixTimeMilliseconds();

                // Read before the transaction starts: in SQLite a read would pin the transaction's snapshot.
                var lastApplied = objectId is null ? null : await SqlInboxStore.GetLastAppliedAsync(connection, null, objectId, stoppingToken).ConfigureAwait(false);
                var isStale = lastApplied is { } last && createdAt is { } created && last > created;
                var transaction = await _store.BeginProcessingTransactionAsync(connection, stoppingToken).ConfigureAwait(false);
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
                        await handler.Invoke(scope.ServiceProvider, webhookEvent, context, stoppingToken).ConfigureAwait(false);
                    }

                    if (objectId is not null && createdAt is { } appliedAt)
                    {
                        await SqlInboxStore.RecordAppliedAsync(connection, transaction, objectId, appliedAt, item.EventId, stoppingToken).ConfigureAwait(false);
                    }

                    if (!await _store.CompleteAsync(connection, transaction, item.EventId, _owner, stoppingToken).ConfigureAwait(false))
                    {
                        await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                        Log.LeaseLost(_logger, item.EventId);
                        return;
                    }

                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    Log.Processed(_logger, item.EventId, item.Name, attempt);
                }
            }
        }
    }

    private async Task RecordFailureAsync(ClaimedEvent item, Exception exception, bool park, TimeSpan delay)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _store.FailAsync(item.EventId, _owner, $"{exception.GetType().FullName}: {exception.Message}", park, delay, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is DbException or OperationCanceledException or InvalidOperationException)
        {
            Log.OutcomeNotRecorded(_logger, failure, item.EventId);
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
