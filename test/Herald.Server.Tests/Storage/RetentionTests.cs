using System.Threading.Channels;
using Herald.Core.Retention;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Storage;

/// <summary>The log keeps the retention period: older events go with their deliveries and attempts, unless still being delivered.</summary>
public sealed class RetentionTests : ServerWithReceiverTest
{
    protected override IDictionary<string, string?> ServerSettings => new Dictionary<string, string?>
    {
        ["Herald:Retention:Period"] = "30.00:00:00",
        ["Herald:Retention:BatchSize"] = "3",
        ["Herald:Retention:Interval"] = "40.00:00:00", // longer than the month the test skips: it sweeps by hand
        ["Herald:Retention:PauseBetweenBatches"] = "00:00:00",
        ["Herald:Delivery:AutoDisableAfter"] = "00:00:00",
    };

    [Fact]
    public async Task A_sweep_removes_events_older_than_the_period_with_their_deliveries_and_attempts_but_keeps_what_is_still_queued()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/ok"), "payment_intent.succeeded");
        var failing = await Server.CreateWebhookAsync(account, Receiver.Url("/down"), "refund.received");
        Receiver.Respond = r => r.Path == "/down" ? new ReceiverResponse(500) : ReceiverResponse.Ok;
        for (var i = 0; i < 7; i++)
        {
            await Server.PublishAsync(account, id: $"evt_old_{i}");
        }

        await Server.PublishAsync(account, "refund.received", id: "evt_old_still_retrying");
        await Receiver.WaitUntilAsync(r => r.Count >= 8);
        await Server.WaitForIdleAsync();

        // A month and a day later one fresh event arrives; the old one still retrying keeps failing in between.
        await Server.PostAsync($"/api/v1/webhooks/{failing["id"]}/update", new System.Text.Json.Nodes.JsonObject { ["url"] = Receiver.Url("/down") });
        Server.Time!.Advance(TimeSpan.FromDays(31));
        await Server.PublishAsync(account, id: "evt_fresh");
        var purged = await Server.Services.GetRequiredService<RetentionSweeper>().SweepAsync(CancellationToken.None);
        var events = (await Server.GetAsync("/api/v1/events?page_size=100"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()).ToList();
        var retention = await Server.GetAsync("/api/v1/retention");

        Assert.Equal(7, purged.Events);
        Assert.Equal(7, purged.Deliveries);
        Assert.Equal(7, purged.Attempts);
        Assert.Equal(["evt_fresh", "evt_old_still_retrying"], events.Order(StringComparer.Ordinal));
        Assert.Empty(await Server.DeliveriesAsync("?event_id=evt_old_0"));
        Assert.Equal(30, retention["period_days"]!.GetValue<int>());
        Assert.Equal("2026-05-21T13:54:20+0000", retention["kept_since"]!.GetValue<string>());
    }

    [Fact]
    public async Task Each_pause_between_batches_lasts_at_least_as_long_as_the_batch_before_it_took()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/ok"), "payment_intent.succeeded");
        for (var i = 0; i < 7; i++)
        {
            await Server.PublishAsync(account, id: $"evt_slow_{i}");
        }

        await Receiver.WaitUntilAsync(r => r.Count >= 7);
        await Server.WaitForIdleAsync();
        Server.Time!.Advance(TimeSpan.FromDays(31));
        var clock = new TimerRecordingClock(Server.Time);
        // The real store, each batch made to take 300 ms on the clock: a slow database.
        var store = new SlowBatches(Server.Services.GetRequiredService<IRetentionStore>(), Server.Time, TimeSpan.FromMilliseconds(300));
        var sweeper = new RetentionSweeper(
            store, clock, Options.Create(new RetentionOptions { BatchSize = 3, PauseBetweenBatches = TimeSpan.FromMilliseconds(20) }), NullLogger<RetentionSweeper>.Instance);

        // Each time the sweep waits, the clock moves on by exactly that wait: nothing else moves it.
        var sweep = sweeper.SweepAsync(CancellationToken.None);
        var pauses = new List<TimeSpan>();
        while (true)
        {
            var timer = clock.Timers.ReadAsync(TestContext.Current.CancellationToken).AsTask();
            if (await Task.WhenAny(sweep, timer) == sweep)
            {
                break;
            }

            pauses.Add(await timer);
            Server.Time.Advance(pauses[^1]);
        }

        Assert.Equal(7, (await sweep).Events);
        Assert.Equal(3, store.Batches);
        Assert.Equal([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)], pauses);
    }

    /// <summary>The test's clock, also telling how long each timer it makes (a <c>Task.Delay</c>) waits.</summary>
    private sealed class TimerRecordingClock(FakeTimeProvider time) : TimeProvider
    {
        private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

        /// <summary>Each timer's due time, as it is made.</summary>
        public ChannelReader<TimeSpan> Timers => _timers.Reader;

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = time.CreateTimer(callback, state, dueTime, period);
            _timers.Writer.TryWrite(dueTime);
            return timer;
        }
    }

    /// <summary>The real retention store, each batch taking <paramref name="duration"/> on the fake clock.</summary>
    private sealed class SlowBatches(IRetentionStore store, FakeTimeProvider time, TimeSpan duration) : IRetentionStore
    {
        public int Batches { get; private set; }

        public async Task<PurgedBatch> PurgeAsync(long cutoff, int batchSize, CancellationToken cancellationToken)
        {
            var batch = await store.PurgeAsync(cutoff, batchSize, cancellationToken);
            Batches++;
            time.Advance(duration);
            return batch;
        }

        public Task<IAsyncDisposable?> TryLeadSweepAsync(CancellationToken cancellationToken) => store.TryLeadSweepAsync(cancellationToken);
    }
}
