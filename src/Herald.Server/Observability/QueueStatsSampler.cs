using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Microsoft.Extensions.Options;

namespace Herald.Server.Observability;

/// <summary>
/// Counts the queue every <see cref="ObservabilityOptions.QueueSampleInterval"/> for the <c>herald.queue.*</c> gauges,
/// so a scrape only reads the last sample: scrapes (several Prometheus servers, a dashboard refreshing) cost the
/// database nothing. When a sample fails the gauges go empty rather than showing an old queue as current.
/// </summary>
internal sealed partial class QueueStatsSampler(
    IDeliveryQueueStats stats, HeraldMetrics metrics, TimeProvider timeProvider, IOptions<ObservabilityOptions> options, ILogger<QueueStatsSampler> logger) : BackgroundService
{
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.QueueSampleInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
                await Task.Delay(interval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Counts the queue now and publishes the sample; on failure, logs once and clears the gauges until a sample succeeds.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            var queue = await stats.GetQueueStatsAsync(now, options.Value.QueueCountLimit, cancellationToken);
            metrics.QueueSampled(new QueueSample(queue.Due, queue.Scheduled, queue.Paused, queue.OldestDueAt, now));
            _failing = false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.QueueSampled(null);
            if (!_failing)
            {
                LogSampleFailed(logger, exception);
            }

            _failing = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the delivery queue failed; the herald.queue gauges stay empty until a count succeeds")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
