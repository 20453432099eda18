namespace Herald.Core.Deliveries;

/// <summary>
/// The fast path from ingest to the wire: a new delivery the local dispatcher can take at once is written already
/// leased to this node and handed over in memory after the commit, so it costs no claim. One it cannot take (its
/// endpoint is busy or paused, the node is full) is written unleased and claimed later, by this node or another.
/// </summary>
internal interface IDeliveryHandOff
{
    /// <summary>Reserves room for a delivery to <paramref name="webhookId"/>; the lease to write it with, or null.</summary>
    DeliveryLease? TryReserve(string webhookId);

    /// <summary>Gives a reservation back: its delivery was not stored (duplicate event, failed commit).</summary>
    void Cancel(string webhookId);

    /// <summary>Starts a delivery stored under a reservation.</summary>
    void Dispatch(ClaimedDelivery delivery);

    /// <summary>Someone asked for deliveries to this webhook now (a retrigger): an open circuit probes at once instead of waiting.</summary>
    void ProbeNow(string webhookId);
}

/// <summary>No local dispatcher: every delivery is claimed from the database.</summary>
internal sealed class NoHandOff : IDeliveryHandOff
{
    public static NoHandOff Instance { get; } = new();

    public DeliveryLease? TryReserve(string webhookId) => null;

    public void Cancel(string webhookId)
    {
    }

    public void Dispatch(ClaimedDelivery delivery) => throw new InvalidOperationException("Nothing was reserved.");

    public void ProbeNow(string webhookId)
    {
    }
}
