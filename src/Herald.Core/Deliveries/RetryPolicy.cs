using Herald.Contracts.Envelope;
using Herald.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Herald.Core.Deliveries;

/// <summary>Decides what an attempt's result means for its delivery: done, retry when, failed for good, or endpoint gone.</summary>
internal sealed class RetryPolicy(IOptions<DeliveryOptions> options)
{
    private readonly DeliveryOptions _options = options.Value;

    /// <summary>
    /// The delay before the next attempt after <paramref name="roundAttempts"/> failed attempts in this round,
    /// or null when the schedule is spent. <paramref name="random"/> is a uniform draw in [0, 1).
    /// </summary>
    public TimeSpan? NextDelay(int roundAttempts, double random, TimeSpan? retryAfter)
    {
        var schedule = _options.EffectiveRetrySchedule;
        if (roundAttempts < 1 || roundAttempts > schedule.Count)
        {
            return null;
        }

        var scheduled = schedule[roundAttempts - 1] * (1 + (_options.Jitter * ((2 * random) - 1)));

        // A receiver asking for more time gets it, but never more than twice the schedule, nor less than it.
        return retryAfter is { } asked ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, scheduled.Ticks, scheduled.Ticks * 2)) : scheduled;
    }

    /// <summary>What a claimed delivery becomes without an attempt, when its webhook can no longer take it.</summary>
    public static DeliveryOutcome? DecideWithoutAttempt(ClaimedDelivery delivery) =>
        delivery.WebhookStatus == WebhookStatus.Enabled
            ? null
            : new DeliveryOutcome(delivery.DeliveryId, delivery.WebhookId, delivery.LeaseToken, DeliveryStatus.Cancelled, null, null);

    public DeliveryOutcome Decide(ClaimedDelivery delivery, AttemptResult result, DateTimeOffset now, double random)
    {
        var attempt = new DeliveryAttempt
        {
            DeliveryId = delivery.DeliveryId,
            Number = delivery.AttemptCount + 1,
            StartedAt = result.StartedAt.ToUnixTimeMilliseconds(),
            DurationMs = (long)result.Duration.TotalMilliseconds,
            StatusCode = result.StatusCode,
            Error = result.Error,
            ResponseBody = result.ResponseBody,
        };

        if (_options.IsSuccess(result.StatusCode))
        {
            return Outcome(DeliveryStatus.Success, null, EndpointHealth.Healthy);
        }

        if (result.StatusCode == 410)
        {
            // The endpoint says it is gone for good: disable it (reason recorded) rather than retry for three days.
            var reason = $"The endpoint answered 410 Gone at {WebhookTimestamps.FormatCreatedAt(now)}.";
            return Outcome(DeliveryStatus.Failed, null, EndpointHealth.Failing, new WebhookDisable(reason, CancelQueued: true)) with
            {
                Attempt = attempt with { Error = attempt.Error ?? "410 Gone: webhook disabled" },
            };
        }

        var retryAfter = result.StatusCode is 429 or 503 ? result.RetryAfter : null;
        var delay = NextDelay(delivery.RoundAttempts + 1, random, retryAfter);
        var outcome = delay is null
            ? Outcome(DeliveryStatus.Failed, null, EndpointHealth.Failing)
            : Outcome(DeliveryStatus.Queued, (now + delay.Value).ToUnixTimeMilliseconds(), EndpointHealth.Failing);

        // Failing without one success for AutoDisableAfter: the endpoint is likely gone without saying so. Its queued
        // deliveries stay queued, paused, and resume when someone enables it again.
        var failingSince = delivery.WebhookFailingSince ?? attempt.StartedAt;
        if (_options.AutoDisableAfter > TimeSpan.Zero && now.ToUnixTimeMilliseconds() - failingSince >= (long)_options.AutoDisableAfter.TotalMilliseconds)
        {
            var since = WebhookTimestamps.FormatCreatedAt(DateTimeOffset.FromUnixTimeMilliseconds(failingSince));
            outcome = outcome with { Disable = new WebhookDisable($"Disabled automatically: every attempt failed since {since}.", CancelQueued: false) };
        }

        return outcome;

        DeliveryOutcome Outcome(string status, long? nextAttemptAt, EndpointHealth endpoint, WebhookDisable? disable = null) =>
            new(delivery.DeliveryId, delivery.WebhookId, delivery.LeaseToken, status, nextAttemptAt, attempt, endpoint, disable);
    }
}
