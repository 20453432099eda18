using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Retention;

/// <summary>
/// Keeps the log to <see cref="RetentionOptions.Period"/>: every <see cref="RetentionOptions.Interval"/> one node removes
/// old events, with their deliveries and attempts, in small batches, each followed by a pause at least as long as the
/// batch took, so the sweep never holds a long lock or starves delivery. Events with a delivery still queued stay, whatever their age.
/// </summary>
internal sealed partial class RetentionSweeper(IRetentionStore store, TimeProvider timeProvider, IOptions<RetentionOptions> options, ILogger<RetentionSweeper> logger)
    : BackgroundService
{
    private readonly RetentionOptions _options = options.Value;

    /// <summary>The oldest ingest time the log keeps now (Unix ms), or null when it keeps everything.</summary>
    public long? KeptSince => _options.Period > TimeSpan.Zero ? (timeProvider.GetUtcNow() - _options.Period).ToUnixTimeMilliseconds() : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Period <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep is tried again at the next interval; it must not stop the node.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogSweepFailed(logger, exception);
            }

            try
            {
                await Task.Delay(_options.Interval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One sweep: removes everything older than the period, batch by batch; what it removed in all.</summary>
    public async Task<PurgedBatch> SweepAsync(CancellationToken cancellationToken)
    {
        var total = new PurgedBatch();
        if (KeptSince is not { } cutoff)
        {
            return total;
        }

        await using var lead = await store.TryLeadSweepAsync(cancellationToken);
        if (lead is null)
        {
            return total;
        }

        while (true)
        {
            var started = timeProvider.GetTimestamp();
            var batch = await store.PurgeAsync(cutoff, _options.BatchSize, cancellationToken);
            total = new PurgedBatch(total.Events + batch.Events, total.Deliveries + batch.Deliveries, total.Attempts + batch.Attempts);
            if (batch.Events < _options.BatchSize)
            {
                break;
            }

            // At least as long as the batch took: a large sweep takes at most about half the database's time (on SQLite,
            // half the single writer's), so deliveries keep flowing while a million-event log goes.
            var took = timeProvider.GetElapsedTime(started);
            await Task.Delay(took > _options.PauseBetweenBatches ? took : _options.PauseBetweenBatches, timeProvider, cancellationToken);
        }

        if (total.Events > 0)
        {
            LogSwept(logger, total.Events, total.Deliveries, total.Attempts, cutoff);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Events} events, {Deliveries} deliveries and {Attempts} attempts ingested before {CutoffUnixMs} (Unix ms)")]
    private static partial void LogSwept(ILogger logger, int events, int deliveries, int attempts, long cutoffUnixMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
