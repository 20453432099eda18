namespace Herald.Receiver.Processing;

/// <summary>How one processing of a claimed event ended.</summary>
internal enum InboxOutcome
{
    /// <summary>Every handler returned and the completion committed.</summary>
    Processed,

    /// <summary>A handler threw; the failure was recorded and the event is due again later.</summary>
    Failed,

    /// <summary>The event was parked (tries exhausted, or unreadable).</summary>
    Parked,

    /// <summary>The claim was lost (expired, taken over or requeued) before the completion committed; nothing was committed.</summary>
    LeaseLost,

    /// <summary>Shutdown interrupted the handler; the event was given back without counting the try.</summary>
    Released,

    /// <summary>The outcome could not be written (the inbox was unreachable); the claim will lapse and the event run again.</summary>
    NotRecorded,
}

/// <summary>
/// Sees what the processor does, in order: a completed claim pass and the end of each processing. Lets tests wait
/// on what happened instead of sleeping; nothing is registered in production.
/// </summary>
internal interface IInboxObserver
{
    /// <summary>A claim pass that read the inbox as of <paramref name="asOf"/> (Unix milliseconds) claimed <paramref name="claimed"/> events.</summary>
    void ClaimPassCompleted(long asOf, int claimed);

    /// <summary>A handler run is about to start (after any earlier run of the same event in this process ended).</summary>
    void HandlerStarting(string eventId, int attempt);

    /// <summary>The running claim of <paramref name="eventId"/> was renewed until <paramref name="until"/> (Unix milliseconds).</summary>
    void LeaseRenewed(string eventId, long until);

    /// <summary>A processing of <paramref name="eventId"/> ended.</summary>
    void Finished(string eventId, InboxOutcome outcome);
}
