using Microsoft.Extensions.Options;

namespace Herald.Core.Retention;

/// <summary>How long the event and delivery log is kept. Bound from <c>Herald:Retention</c>.</summary>
internal sealed class RetentionOptions
{
    public const string SectionName = "Herald:Retention";

    /// <summary>
    /// Events (with their deliveries and attempts) older than this are removed once none of their deliveries is still
    /// queued. Default 30 days; zero keeps everything.
    /// </summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the log is swept. Default 10 minutes; at most 49 days (the longest a timer waits).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Events removed per transaction: small, so no lock is held long (on SQLite every other writer waits for it). Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// The shortest pause between batches; the pause is at least as long as the batch took, so a large sweep leaves at
    /// least half the database's time to delivery. Default 20 ms.
    /// </summary>
    public TimeSpan PauseBetweenBatches { get; set; } = TimeSpan.FromMilliseconds(20);
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options) =>
        options.Period < TimeSpan.Zero || options.Interval <= TimeSpan.Zero || options.Interval > TimeSpan.FromDays(49) || options.BatchSize < 1 || options.PauseBetweenBatches < TimeSpan.Zero
            ? ValidateOptionsResult.Fail("Herald:Retention: Period must be zero (keep everything) or more, Interval above zero and at most 49 days, BatchSize at least 1, PauseBetweenBatches not negative.")
            : ValidateOptionsResult.Success;
}
