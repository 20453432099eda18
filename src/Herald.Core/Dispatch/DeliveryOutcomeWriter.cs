using System.Collections.Concurrent;
using System.Threading.Channels;
using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Collects attempt outcomes and writes them in batches, one transaction per batch, so the database sees a commit per
/// burst rather than per attempt. A batch that cannot be written (the database is away) is kept and retried with a
/// growing pause for as long as it takes; the dispatcher takes no new work while outcomes lag
/// (<see cref="Backlog"/>), so memory stays bounded. While outcomes wait, their leases are extended, so a slow or
/// stalled database does not let another node take and send their deliveries again. An outcome lost in a crash is
/// harmless: its lease expires and the delivery is attempted again (at-least-once).
/// </summary>
internal sealed partial class DeliveryOutcomeWriter(
    IDeliveryStore store, TimeProvider timeProvider, IOptions<DeliveryOptions> options, HeraldMetrics metrics, ILogger<DeliveryOutcomeWriter> logger) : BackgroundService
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    /// <summary>The longest pause between tries of a batch: after a database outage, outcomes are written within it.</summary>
    public static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    private readonly Channel<DeliveryOutcome> _outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _batchSize = options.Value.OutcomeBatchSize;
    private readonly TimeSpan _leaseDuration = options.Value.LeaseDuration;

    // Outcomes handed over and not yet committed, by delivery: their lease token and when they were handed over.
    private readonly ConcurrentDictionary<string, (long LeaseToken, long Since)> _waiting = new(StringComparer.Ordinal);
    private int _backlog;
    private long _failingSince;

    /// <summary>Outcomes handed over and not yet committed.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>Since when writes have been failing (a <see cref="TimeProvider"/> timestamp), or 0 while they succeed.</summary>
    public long FailingSince => Volatile.Read(ref _failingSince);

    /// <summary>How long writes have been failing without a success; zero while they succeed.</summary>
    public TimeSpan FailingFor => FailingSince is var since and not 0 ? timeProvider.GetElapsedTime(since) : TimeSpan.Zero;

    public ValueTask WriteAsync(DeliveryOutcome outcome)
    {
        Interlocked.Increment(ref _backlog);
        _waiting[outcome.DeliveryId] = (outcome.LeaseToken, timeProvider.GetTimestamp());
        return _outcomes.Writer.WriteAsync(outcome);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var keeper = KeepLeasesAsync(stoppingToken);
        var batch = new List<DeliveryOutcome>(_batchSize);
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await keeper;
    }

    /// <summary>Every third of a lease, extends the leases of outcomes that have waited that long.</summary>
    private async Task KeepLeasesAsync(CancellationToken stoppingToken)
    {
        var third = _leaseDuration / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(third, timeProvider, stoppingToken);
                var late = _waiting.Where(pair => timeProvider.GetElapsedTime(pair.Value.Since) >= third).Select(pair => (pair.Key, pair.Value.LeaseToken)).ToList();
                if (late.Count > 0)
                {
                    await store.ExtendLeasesAsync(late, (timeProvider.GetUtcNow() + _leaseDuration).ToUnixTimeMilliseconds(), stoppingToken);
                    LogLeasesExtended(logger, late.Count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The database may be away: the outcomes are kept and the leases extended next round.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogExtendFailed(logger, exception);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The dispatcher stops first and has handed over its last outcomes; write them before leaving, for as long as
        // the host allows. Stopping never throws: what is not written is retried after its lease expires.
        _outcomes.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        try
        {
            await DrainAsync(new List<DeliveryOutcome>(_batchSize), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogUnwritten(logger, Backlog);
        }
    }

    private async Task DrainAsync(List<DeliveryOutcome> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < _batchSize && _outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            if (batch.Count == 0)
            {
                return;
            }

            await WriteBatchAsync(batch, cancellationToken);
            foreach (var outcome in batch)
            {
                _waiting.TryRemove(outcome.DeliveryId, out _);
            }

            Interlocked.Add(ref _backlog, -batch.Count);
        }
    }

    private async Task WriteBatchAsync(List<DeliveryOutcome> batch, CancellationToken cancellationToken)
    {
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not cancelled by shutdown once started: a half-written batch would be rolled back and tried again anyway.
                await store.RecordOutcomesAsync(batch, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
                if (Interlocked.Exchange(ref _failingSince, 0) != 0)
                {
                    LogRecovered(logger, batch.Count, attempt);
                }

                return;
            }
#pragma warning disable CA1031 // Any failure (the database away, a deadlock, a timeout) is retried; the outcomes are kept.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _failingSince, timeProvider.GetTimestamp(), 0);
                metrics.OutcomeWriteFailed();
                LogWriteFailed(logger, batch.Count, attempt, pause, exception);
                await Task.Delay(pause, timeProvider, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} delivery outcomes failed (try {Attempt}); keeping them and trying again in {Pause}")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, TimeSpan pause, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extended the leases of {Count} deliveries whose outcomes wait to be written")]
    private static partial void LogLeasesExtended(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending the leases of waiting outcomes failed; trying again in a third of a lease")]
    private static partial void LogExtendFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery outcomes are written again ({Count} after {Attempt} tries)")]
    private static partial void LogRecovered(ILogger logger, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped with {Count} delivery outcomes unwritten; their deliveries are retried when their leases expire")]
    private static partial void LogUnwritten(ILogger logger, int count);
}
