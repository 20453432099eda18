namespace Herald.Bench.Hangfire;

/// <summary>Command-line settings (<c>--Name value</c>) of the baseline process.</summary>
internal sealed class BaselineSettings
{
    /// <summary>PostgreSQL connection string for Hangfire's storage.</summary>
    public string Connection { get; set; } = string.Empty;

    /// <summary>Base URL of the verifying receiver, e.g. <c>http://127.0.0.1:5000</c>.</summary>
    public string Receiver { get; set; } = string.Empty;

    /// <summary>Receiver endpoints (<c>/hook/0</c> … <c>/hook/N-1</c>) the events are spread over.</summary>
    public int Endpoints { get; set; } = 1;

    /// <summary>Hangfire workers: the same number of POSTs in flight as Herald gets in the scenario.</summary>
    public int Workers { get; set; } = 10;

    /// <summary>Concurrent publishers enqueueing jobs.</summary>
    public int Publishers { get; set; } = 16;

    /// <summary>How long to publish.</summary>
    public double DurationSeconds { get; set; } = 10;

    /// <summary>At most this many events are published.</summary>
    public long MaxEvents { get; set; } = 5_000;

    /// <summary>Event id prefix (see <see cref="BenchEvents.Id"/>).</summary>
    public string Run { get; set; } = "hf";

    /// <summary>Where the accept times (<c>sequence TAB timestamp</c>) are written when publishing ends.</summary>
    public string AcceptedFile { get; set; } = "accepted.tsv";
}
