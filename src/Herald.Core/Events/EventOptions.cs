namespace Herald.Core.Events;

/// <summary>How events are accepted. Bound from <c>Herald:Events</c>.</summary>
internal sealed class EventOptions
{
    public const string SectionName = "Herald:Events";

    /// <summary>The most events one <c>batch_create</c> may hold (the spec's limit).</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The largest envelope one event may make, in bytes; a larger one is refused (413). Default 256 KiB, the API's body limit.</summary>
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>The event <c>version</c> written when a producer gives none. Default <c>2026-02-27</c> (the seed's).</summary>
    public string DefaultVersion { get; set; } = "2026-02-27";
}
