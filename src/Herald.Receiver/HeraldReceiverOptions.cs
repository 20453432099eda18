namespace Herald.Receiver;

/// <summary>
/// Settings of the Herald receiver: <c>services.AddHeraldReceiver(options => …)</c>, or from configuration with
/// <c>services.AddHeraldReceiver(configuration.GetSection("HeraldReceiver"))</c>. The inbox database is chosen by
/// <c>.UseSqliteInbox(…)</c> (package Herald.Receiver.Sqlite) or <c>.UsePostgresInbox(…)</c> (Herald.Receiver.PostgreSql).
/// </summary>
public sealed class HeraldReceiverOptions
{
    /// <summary>
    /// The endpoint secrets exactly as shown, <c>whsec_</c> prefix included. Add the new secret next to the old one
    /// while rotating; a request signed with any of them is accepted. Required unless <see cref="AllowUnsignedRequests"/>.
    /// </summary>
    public IList<string> Secrets { get; } = [];

    /// <summary>How far <c>x-timestamp</c> may be from now, either way. Default 5 minutes.</summary>
    public TimeSpan Tolerance { get; set; } = HeraldWebhook.DefaultTolerance;

    /// <summary>
    /// Accept requests without verifying a signature (only for webhooks created without a secret, which the sender
    /// does not sign). Default <see langword="false"/>: with no secret configured the app fails at start.
    /// </summary>
    public bool AllowUnsignedRequests { get; set; }

    /// <summary>
    /// Source addresses allowed to post webhooks, as CIDR ranges (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>) or
    /// single addresses. Empty (the default) allows any source. The check uses
    /// <c>HttpContext.Connection.RemoteIpAddress</c>, so behind a proxy add ASP.NET Core's forwarded-headers
    /// middleware (<c>app.UseForwardedHeaders()</c>) with your proxies as known proxies, before the endpoint.
    /// </summary>
    public IList<string> AllowedSourceNetworks { get; } = [];

    /// <summary>The largest accepted body; larger requests get 413. Default 1 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The inbox connection string used by <c>UseSqliteInbox()</c> or <c>UsePostgresInbox()</c> when they are called
    /// without one, so configuration can carry it (<c>HeraldReceiver:InboxConnectionString</c>). Default
    /// <see langword="null"/>: SQLite then uses <c>Data Source=herald-inbox.db</c> in the working directory;
    /// PostgreSQL requires one.
    /// </summary>
    public string? InboxConnectionString { get; set; }

    /// <summary>Run handlers in a background service of this process. Default <see langword="true"/>.</summary>
    public bool ProcessInBackground { get; set; } = true;

    /// <summary>How many events are handled at the same time. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How many tries an event gets (a try that crashed the process counts) before it is parked. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The delay after the first failed try; it doubles on each further failure. Default 5 seconds.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest delay between tries. Default 1 hour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a claim on an event lasts without renewal. While a handler runs, its worker renews the claim every
    /// third of this time, so a slow handler keeps its event; if the process dies or cannot reach the inbox, another
    /// worker (or the restarted process) takes the event over once the claim lapses, and the old worker can no
    /// longer commit. Default 5 minutes.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the inbox is polled for due retries and for events written by other processes. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where your users reconnect your partner application (for example your OAuth authorize URL); passed to
    /// <c>IPartnerDisconnectionNotifier</c> so the notice can offer a reconnect option. Optional.
    /// </summary>
    public Uri? PartnerReconnectUrl { get; set; }
}
