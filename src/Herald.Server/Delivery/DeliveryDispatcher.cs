using System.Collections.Concurrent;
using Herald.Server.Hosting;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Claims due deliveries in batches under a lease, sends each with <see cref="WebhookSender"/> within a global
/// and a per-endpoint concurrency limit, and hands outcomes to <see cref="DeliveryOutcomeWriter"/>. Endpoints at
/// their limit are left out of the next claim, so one slow or dead endpoint cannot hold the others' work.
/// </summary>
internal sealed partial class DeliveryDispatcher(
    IHeraldStore store,
    WebhookSender sender,
    RetryPolicy policy,
    DeliveryOutcomeWriter outcomes,
    DispatchSignal signal,
    TimeProvider timeProvider,
    IOptions<HeraldServerOptions> options,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private readonly DeliveryOptions _options = options.Value.Delivery;
    private readonly string _node = $"{Environment.MachineName}-{Environment.ProcessId}-{Ids.RandomBase64Url(4)}";
    private readonly ConcurrentDictionary<string, int> _perEndpoint = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _inFlightCount;

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
        var limit = Math.Min(_options.MaxInFlight - InFlight, _options.ClaimBatchSize);
        if (limit <= 0)
        {
            return false;
        }

        var saturated = _perEndpoint.Where(pair => pair.Value >= _options.MaxConcurrencyPerEndpoint).Select(pair => pair.Key).ToList();
        var now = timeProvider.GetUtcNow();
        var claimed = await store.ClaimDueAsync(
            _node, now.ToUnixTimeMilliseconds(), (now + _options.LeaseDuration).ToUnixTimeMilliseconds(), limit, saturated, cancellationToken);

        var release = new List<string>();
        foreach (var delivery in claimed)
        {
            if (!TryReserveEndpoint(delivery.WebhookId))
            {
                release.Add(delivery.DeliveryId);
                continue;
            }

            Interlocked.Increment(ref _inFlightCount);
            var task = Task.Run(() => AttemptAsync(delivery), CancellationToken.None);
            _inFlight[task] = true;
            _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // Give back what an endpoint at its limit cannot take now, for this or another node to claim later.
        await store.ReleaseAsync(release, _node, cancellationToken);
        return claimed.Count == limit && release.Count == 0;
    }

    private async Task AttemptAsync(ClaimedDelivery delivery)
    {
        try
        {
            DeliveryOutcome outcome;
            if (delivery.WebhookStatus != WebhookStatus.Enabled)
            {
                outcome = new DeliveryOutcome(delivery.DeliveryId, delivery.WebhookId, DeliveryStatus.Cancelled, null, null, null);
            }
            else
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
            _perEndpoint.AddOrUpdate(delivery.WebhookId, 0, (_, count) => count - 1);
            Interlocked.Decrement(ref _inFlightCount);
            signal.Notify();
        }
    }

    private bool TryReserveEndpoint(string webhookId)
    {
        while (true)
        {
            var current = _perEndpoint.GetOrAdd(webhookId, 0);
            if (current >= _options.MaxConcurrencyPerEndpoint)
            {
                return false;
            }

            if (_perEndpoint.TryUpdate(webhookId, current + 1, current))
            {
                return true;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var pending = _inFlight.Keys.ToArray();
        LogStopping(logger, pending.Length);
        try
        {
            await Task.WhenAll(pending).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Host shutdown timeout: whatever is unfinished keeps its lease and is retried after it expires.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher started as node {Node}")]
    private static partial void LogStarted(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery dispatcher stopping; waiting for {Count} attempts in flight")]
    private static partial void LogStopping(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} to {WebhookId}: HTTP {StatusCode} -> {Status}")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, string webhookId, int? statusCode, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming deliveries failed; retrying after the poll interval")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt of delivery {DeliveryId} failed unexpectedly; it will be retried when its lease expires")]
    private static partial void LogAttemptCrashed(ILogger logger, string deliveryId, Exception exception);
}
