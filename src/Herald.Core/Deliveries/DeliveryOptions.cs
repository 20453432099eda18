namespace Herald.Core.Deliveries;

/// <summary>How deliveries are attempted, retried and dispatched. Bound from <c>Herald:Delivery</c>; every default is here.</summary>
internal sealed class DeliveryOptions
{
    public const string SectionName = "Herald:Delivery";

    /// <summary>The default schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (10 attempts over about 3.15 days).</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>How long an attempt may take before it counts as failed. Default 15 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Delays after each failed attempt; one more attempt than delays. Unset means <see cref="DefaultRetrySchedule"/>.</summary>
    public TimeSpan[]? RetrySchedule { get; set; }

    /// <summary>The schedule in force.</summary>
    public IReadOnlyList<TimeSpan> EffectiveRetrySchedule => RetrySchedule is { Length: > 0 } configured ? configured : DefaultRetrySchedule;

    /// <summary>Random spread applied to each retry delay, as a fraction. Default 0.2 (±20 %).</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Count any 2xx as success instead of only 200 (the Airwallex rule). Default off.</summary>
    public bool AcceptAny2xx { get; set; }

    /// <summary>
    /// The most attempts in flight at once to one endpoint, per node: the ceiling of its adaptive limit, which starts at
    /// <see cref="InitialConcurrencyPerEndpoint"/>, grows while the endpoint answers quickly and halves on timeouts,
    /// connection errors, 5xx and 429. Default 128: a fast endpoint may take most of a node.
    /// </summary>
    public int MaxConcurrencyPerEndpoint { get; set; } = 128;

    /// <summary>Where an endpoint's adaptive concurrency limit starts (and restarts after its circuit closes). Default 8.</summary>
    public int InitialConcurrencyPerEndpoint { get; set; } = 8;

    /// <summary>Attempts in flight at once on this node. Default 512.</summary>
    public int MaxInFlight { get; set; } = 512;

    /// <summary>Deliveries claimed per database round trip. Default 256.</summary>
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>
    /// Consecutive failed attempts after which an endpoint's circuit opens: its deliveries wait, without spending their
    /// retry budget, until one probe attempt succeeds. Default 10; 0 turns the breaker off.
    /// </summary>
    public int CircuitBreakerThreshold { get; set; } = 10;

    /// <summary>How long an open circuit waits before its first probe; doubles after each failed probe up to <see cref="MaxCircuitBreakDuration"/>. Default 30 s.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between probes of an open circuit. Default 10 minutes.</summary>
    public TimeSpan MaxCircuitBreakDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A webhook failing without one success for this long is disabled (reason recorded); its queued deliveries stay
    /// queued and resume when it is enabled again. Default 5 days; zero turns auto-disable off.
    /// </summary>
    public TimeSpan AutoDisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long a claimed delivery belongs to this node before another may take it. Default 60 s; must exceed <see cref="Timeout"/>.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far a node's clock may be from the database's before readiness reports it (PostgreSQL). Leases and retry times
    /// come from each node's clock; a node ahead by more than <see cref="LeaseDuration"/> − <see cref="Timeout"/> could take
    /// a lease still in force. Default 10 s.
    /// </summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often due retries are looked for when nothing wakes the dispatcher. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Outcomes written per transaction at most. Default 512.</summary>
    public int OutcomeBatchSize { get; set; } = 512;

    /// <summary>Allow webhook URLs that resolve to loopback, private, link-local or metadata addresses. Default: on in dev mode, off otherwise.</summary>
    public bool? AllowPrivateNetworks { get; set; }

    /// <summary>Hosts (names or IP literals) exempt from the private-network rule, e.g. an internal receiver.</summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>
    /// An HTTP proxy every delivery goes through (<c>http://host:port</c>, optionally with <c>user:password@</c>), so that
    /// receivers see fixed egress addresses. Herald still refuses destinations that resolve to non-public addresses before
    /// each attempt; the proxy must enforce the same rule at its own connect (see docs/security.md). Default: none.
    /// </summary>
    public string? Proxy { get; set; }

    /// <summary>The one success rule: HTTP 200 (the seeds' rule), or any 2xx with <see cref="AcceptAny2xx"/>.</summary>
    public bool IsSuccess(int? statusCode) => statusCode == 200 || (AcceptAny2xx && statusCode is >= 200 and < 300);
}
