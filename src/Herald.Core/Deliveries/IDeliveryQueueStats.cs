namespace Herald.Core.Deliveries;

/// <summary>
/// How many deliveries are queued, for the queue gauges. Each count stops at a limit, so reading stays cheap however
/// long the queue grows (a million scheduled retries included): the store reads at most that many index entries per count.
/// </summary>
internal interface IDeliveryQueueStats
{
    /// <summary>Counts queued deliveries as of <paramref name="now"/> (Unix ms), each count up to <paramref name="countLimit"/>.</summary>
    Task<DeliveryQueueStats> GetQueueStatsAsync(long now, int countLimit, CancellationToken cancellationToken);
}

/// <summary>Queued deliveries of all nodes by state; a count equal to the limit asked for means at least that many.</summary>
/// <param name="Due">Due by now: to be sent, being sent, or held back by an open circuit that has not deferred them yet.</param>
/// <param name="Scheduled">Waiting for their next attempt time (retries, deliveries deferred behind an open circuit).</param>
/// <param name="Paused">Without a next attempt time: their webhook was disabled automatically and they wait for it to be enabled.</param>
/// <param name="OldestDueAt">The earliest next attempt time of any queued delivery (Unix ms), or null when none has one.</param>
internal sealed record DeliveryQueueStats(long Due, long Scheduled, long Paused, long? OldestDueAt);
