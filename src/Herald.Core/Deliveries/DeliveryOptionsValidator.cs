using Microsoft.Extensions.Options;

namespace Herald.Core.Deliveries;

internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var failures = new List<string>();
        if (options.Timeout <= TimeSpan.Zero || options.LeaseDuration <= options.Timeout)
        {
            failures.Add("Herald:Delivery:LeaseDuration must be longer than Herald:Delivery:Timeout, which must be positive.");
        }

        if (options.Jitter is < 0 or >= 1)
        {
            failures.Add("Herald:Delivery:Jitter must be at least 0 and below 1.");
        }

        if (options.MaxInFlight < 1 || options.MaxConcurrencyPerEndpoint < 1 || options.InitialConcurrencyPerEndpoint < 1 || options.ClaimBatchSize < 1 || options.OutcomeBatchSize < 1)
        {
            failures.Add("Herald:Delivery:MaxInFlight, MaxConcurrencyPerEndpoint, InitialConcurrencyPerEndpoint, ClaimBatchSize and OutcomeBatchSize must be at least 1.");
        }

        if (options.CircuitBreakerThreshold < 0 || options.CircuitBreakDuration <= TimeSpan.Zero || options.MaxCircuitBreakDuration < options.CircuitBreakDuration)
        {
            failures.Add("Herald:Delivery:CircuitBreakerThreshold must be 0 or more, CircuitBreakDuration positive and at most MaxCircuitBreakDuration.");
        }

        if (options.AutoDisableAfter < TimeSpan.Zero)
        {
            failures.Add("Herald:Delivery:AutoDisableAfter must not be negative (zero turns auto-disable off).");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Herald:Delivery:PollInterval must be positive.");
        }

        if (options.RetrySchedule is { } schedule && schedule.Any(delay => delay < TimeSpan.Zero))
        {
            failures.Add("Herald:Delivery:RetrySchedule delays must not be negative.");
        }

        if (!string.IsNullOrWhiteSpace(options.Proxy)
            && (!Uri.TryCreate(options.Proxy, UriKind.Absolute, out var proxy) || proxy.Scheme != Uri.UriSchemeHttp || proxy.AbsolutePath != "/"))
        {
            failures.Add("Herald:Delivery:Proxy must be an http:// proxy URL such as http://proxy.internal:3128 (user:password@ allowed).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
