using Herald.Receiver.AspNetCore;
using Microsoft.Extensions.Options;

namespace Herald.Receiver;

internal sealed class HeraldReceiverOptionsValidator : IValidateOptions<HeraldReceiverOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldReceiverOptions options)
    {
        var failures = new List<string>();
        if (!options.AllowUnsignedRequests && !options.Secrets.Any(secret => !string.IsNullOrEmpty(secret)))
        {
            failures.Add("HeraldReceiverOptions.Secrets is empty: add the webhook's secret (it starts with whsec_), or set AllowUnsignedRequests for a webhook created without a secret.");
        }

        if (options.Tolerance != Timeout.InfiniteTimeSpan && options.Tolerance <= TimeSpan.Zero)
        {
            failures.Add("HeraldReceiverOptions.Tolerance must be positive (or Timeout.InfiniteTimeSpan to disable the check).");
        }

        if (!SourceAddressFilter.TryCreate(options.AllowedSourceNetworks, out _, out var badEntry))
        {
            failures.Add($"HeraldReceiverOptions.AllowedSourceNetworks has an entry that is neither an IP address nor a CIDR range: '{badEntry}'.");
        }

        if (options.MaxBodyBytes <= 0 || options.MaxConcurrency <= 0 || options.MaxAttempts <= 0)
        {
            failures.Add("HeraldReceiverOptions.MaxBodyBytes, MaxConcurrency and MaxAttempts must be positive.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.MaxRetryDelay < options.RetryBaseDelay || options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("HeraldReceiverOptions: RetryBaseDelay must be ≥ 0 and ≤ MaxRetryDelay; PollInterval must be positive.");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add("HeraldReceiverOptions.LeaseDuration must be at least 1 second (claims are renewed every third of it).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
