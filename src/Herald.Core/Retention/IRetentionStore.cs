namespace Herald.Core.Retention;

/// <summary>What one sweep batch removed.</summary>
internal readonly record struct PurgedBatch(int Events, int Deliveries, int Attempts);

/// <summary>Removes old log entries in small batches.</summary>
internal interface IRetentionStore
{
    /// <summary>
    /// Removes up to <paramref name="batchSize"/> events ingested before <paramref name="cutoff"/> (Unix ms) none of whose
    /// deliveries is queued, with their deliveries and attempts, in one short transaction.
    /// </summary>
    Task<PurgedBatch> PurgeAsync(long cutoff, int batchSize, CancellationToken cancellationToken);

    /// <summary>Takes the sweep for this node, if no other node holds it; the returned handle gives it back.</summary>
    Task<IAsyncDisposable?> TryLeadSweepAsync(CancellationToken cancellationToken);
}
