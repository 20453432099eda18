using System.Threading.Channels;
using Herald.Core.Deliveries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Collects attempt outcomes and writes them in batches, one transaction per batch, so the database sees a
/// commit per burst rather than per attempt. An outcome lost in a crash is harmless: its lease expires and
/// the delivery is attempted again (at-least-once).
/// </summary>
internal sealed partial class DeliveryOutcomeWriter(
    IDeliveryStore store, TimeProvider timeProvider, IOptions<DeliveryOptions> options, ILogger<DeliveryOutcomeWriter> logger) : BackgroundService
{
    private readonly Channel<DeliveryOutcome> _outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _batchSize = Math.Max(1, options.Value.OutcomeBatchSize);

    public ValueTask WriteAsync(DeliveryOutcome outcome) => _outcomes.Writer.WriteAsync(outcome);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DeliveryOutcome>(_batchSize);
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The dispatcher stops first and has handed over its last outcomes; write them before leaving.
        _outcomes.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        await DrainAsync(new List<DeliveryOutcome>(_batchSize));
    }

    private async Task DrainAsync(List<DeliveryOutcome> batch)
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

            await WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<DeliveryOutcome> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.RecordOutcomesAsync(batch, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
                return;
            }
            catch (Exception exception) when (attempt < 5 && exception is not OperationCanceledException)
            {
                LogWriteFailed(logger, batch.Count, attempt, exception);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} delivery outcomes failed (try {Attempt}); retrying")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, Exception exception);
}
