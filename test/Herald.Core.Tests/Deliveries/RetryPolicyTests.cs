using Herald.Core.Deliveries;
using Herald.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Herald.Core.Tests.Deliveries;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 20, 13, 54, 20, TimeSpan.Zero);

    private static RetryPolicy Policy(DeliveryOptions? options = null) => new(Options.Create(options ?? new DeliveryOptions()));

    private static ClaimedDelivery Claimed(int roundAttempts = 0, string webhookStatus = WebhookStatus.Enabled) => new()
    {
        DeliveryId = "dlv_1", EventId = "evt_1", WebhookId = "wh_1", Url = "https://example.com", WebhookStatus = webhookStatus,
        AttemptCount = roundAttempts, RoundAttempts = roundAttempts, Body = [],
    };

    private static AttemptResult Answer(int? status, TimeSpan? retryAfter = null) => new(Now, TimeSpan.FromMilliseconds(12), status, status is null ? "connection failed" : null, null, retryAfter);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 300)]
    [InlineData(9, 86_400)]
    public void Each_delay_of_the_schedule_is_kept_within_its_jitter(int roundAttempts, int scheduledSeconds)
    {
        var policy = Policy();

        var earliest = policy.NextDelay(roundAttempts, random: 0, retryAfter: null)!.Value;
        var latest = policy.NextDelay(roundAttempts, random: 0.999_999, retryAfter: null)!.Value;

        Assert.Equal(TimeSpan.FromSeconds(scheduledSeconds * 0.8), earliest);
        Assert.InRange(latest, TimeSpan.FromSeconds(scheduledSeconds * 1.19), TimeSpan.FromSeconds(scheduledSeconds * 1.2));
    }

    [Fact]
    public void After_the_tenth_attempt_the_schedule_is_spent_and_the_delivery_fails()
    {
        var outcome = Policy().Decide(Claimed(roundAttempts: 9), Answer(500), Now, 0.5);

        Assert.Equal(DeliveryStatus.Failed, outcome.NewStatus);
        Assert.Equal(10, outcome.Attempt!.Number);
        Assert.Null(outcome.NextAttemptAt);
    }

    [Theory]
    [InlineData(1, 5)] // asked for less than the schedule: the schedule wins
    [InlineData(7, 7)] // within [d, 2d]: honoured
    [InlineData(60, 10)] // more than twice the schedule: capped
    public void Retry_after_on_429_is_honoured_between_the_scheduled_delay_and_twice_it(int askedSeconds, int expectedSeconds)
    {
        var outcome = Policy(new DeliveryOptions { Jitter = 0 }).Decide(Claimed(), Answer(429, TimeSpan.FromSeconds(askedSeconds)), Now, 0.5);

        Assert.Equal((Now + TimeSpan.FromSeconds(expectedSeconds)).ToUnixTimeMilliseconds(), outcome.NextAttemptAt);
    }

    [Fact]
    public void Retry_after_on_a_500_is_ignored()
    {
        var outcome = Policy(new DeliveryOptions { Jitter = 0 }).Decide(Claimed(), Answer(500, TimeSpan.FromSeconds(9)), Now, 0.5);

        Assert.Equal((Now + TimeSpan.FromSeconds(5)).ToUnixTimeMilliseconds(), outcome.NextAttemptAt);
    }

    [Fact]
    public void Gone_fails_the_delivery_and_disables_the_webhook_with_the_reason()
    {
        var outcome = Policy().Decide(Claimed(), Answer(410), Now, 0.5);

        Assert.Equal(DeliveryStatus.Failed, outcome.NewStatus);
        Assert.Contains("410 Gone", outcome.Disable!.Reason, StringComparison.Ordinal);
        Assert.True(outcome.Disable.CancelQueued);
    }

    [Theory]
    [InlineData(200, false, true)]
    [InlineData(201, false, false)]
    [InlineData(204, true, true)]
    [InlineData(301, true, false)]
    [InlineData(null, true, false)]
    public void Only_200_succeeds_unless_any_2xx_is_allowed(int? status, bool acceptAny2xx, bool success) =>
        Assert.Equal(success, new DeliveryOptions { AcceptAny2xx = acceptAny2xx }.IsSuccess(status));

    [Fact]
    public void A_delivery_whose_webhook_was_disabled_or_deleted_is_cancelled_without_an_attempt()
    {
        Assert.Null(RetryPolicy.DecideWithoutAttempt(Claimed()));
        Assert.Equal(DeliveryStatus.Cancelled, RetryPolicy.DecideWithoutAttempt(Claimed(webhookStatus: WebhookStatus.Disabled))!.NewStatus);
        Assert.Equal(DeliveryStatus.Cancelled, RetryPolicy.DecideWithoutAttempt(Claimed(webhookStatus: "DELETED"))!.NewStatus);
    }
}
