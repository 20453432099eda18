using System.Data.Common;
using Herald.Receiver.Inbox;
using Herald.Receiver.Logging;
using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Processing;

/// <summary>
/// Renews the claim of a running event every third of the lease, so a handler slower than
/// <see cref="HeraldReceiverOptions.LeaseDuration"/> keeps its event while its process is alive and reaches the
/// inbox. When the claim is found lost (taken over, requeued) or has run out by this worker's own clock (the
/// process stalled or the inbox was unreachable for a whole lease, so another worker may hold it now),
/// <see cref="Lost"/> is cancelled: the handler is asked to stop, and its completion could not commit anyway.
/// Once the host is stopping, claims are no longer renewed: a handler that ignores shutdown keeps its event only
/// until the claim lapses, so a stopped (or hung) process cannot hold events for longer than one lease.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly SqlInboxStore _store;
    private readonly ClaimedEvent _item;
    private readonly TimeSpan _lease;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop;
    private readonly IInboxObserver[] _observers;
    private readonly Task _loop;

    public LeaseKeeper(SqlInboxStore store, ClaimedEvent item, TimeSpan lease, ILogger logger, IInboxObserver[] observers, CancellationToken stoppingToken)
    {
        _store = store;
        _item = item;
        _lease = lease;
        _logger = logger;
        _observers = observers;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _loop = RunAsync();
    }

    /// <summary>Cancelled when this worker no longer holds the claim.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RunAsync()
    {
        var interval = _lease / 3;
        var leasedUntil = _item.LeasedUntil;
        try
        {
            var next = Task.Delay(interval, _store.TimeProvider, _stop.Token);
            while (true)
            {
                await next.ConfigureAwait(false);
                var now = _store.Now;
                if (now >= leasedUntil)
                {
                    // Not renewed in time: someone may hold it now. Extending it could overlap their claim.
                    Log.LeaseExpired(_logger, _item.EventId);
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                bool renewed;
                try
                {
                    renewed = await _store.RenewAsync(_item.EventId, _item.LeaseToken, _lease, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException && !_stop.IsCancellationRequested)
                {
                    Log.LeaseRenewalFailed(_logger, exception, _item.EventId);
                    next = Task.Delay(interval, _store.TimeProvider, _stop.Token);
                    continue;
                }

                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                if (!renewed)
                {
                    Log.LeaseTakenOver(_logger, _item.EventId);
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                // The next renewal is scheduled before anyone hears of this one.
                leasedUntil = now + (long)_lease.TotalMilliseconds;
                next = Task.Delay(interval, _store.TimeProvider, _stop.Token);
                foreach (var observer in _observers)
                {
                    observer.LeaseRenewed(_item.EventId, leasedUntil);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
