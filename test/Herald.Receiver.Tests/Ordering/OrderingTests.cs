using Herald.Receiver.Events;
using Herald.Receiver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Tests.Ordering;

public sealed class OrderingTests
{
    [Fact]
    public async Task An_older_event_about_the_same_object_arriving_late_is_flagged_stale()
    {
        var recorder = new Recorder();
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            handlers: b => b.AddHandler<PaymentIntentEvent, RecordingHandler<PaymentIntentEvent>>(),
            services: s => s.AddSingleton(recorder));
        var t0 = new DateTimeOffset(2026, 5, 20, 13, 0, 0, TimeSpan.Zero);
        const string data = "{\"object\":{\"id\":\"int_order_1\"}}";
        var newer = Support.Events.NewId();
        var older = Support.Events.NewId();
        var other = Support.Events.NewId();

        using (await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", newer, data, t0.AddMinutes(2))))
        {
            await app.WaitForStateAsync(newer, InboxEntryState.Processed);
        }

        using (await app.PostSignedAsync(Support.Events.Envelope("payment_intent.requires_capture", older, data, t0.AddMinutes(1))))
        {
            await app.WaitForStateAsync(older, InboxEntryState.Processed);
        }

        using (await app.PostSignedAsync(Support.Events.Envelope("payment_intent.created", other, "{\"object\":{\"id\":\"int_order_2\"}}", t0)))
        {
            await app.WaitForStateAsync(other, InboxEntryState.Processed);
        }

        var contexts = recorder.Seen.ToDictionary(seen => seen.Event.Id, seen => seen.Context);
        Assert.False(contexts[newer].IsStale);
        Assert.Null(contexts[newer].LastAppliedAt);
        Assert.True(contexts[older].IsStale);
        Assert.Equal(t0.AddMinutes(2), contexts[older].LastAppliedAt);
        Assert.False(contexts[other].IsStale);
        Assert.Equal(t0.AddMinutes(2), await app.Inbox.GetLastAppliedAtAsync("int_order_1"));
        Assert.Equal(t0, await app.Inbox.GetLastAppliedAtAsync("int_order_2"));
    }
}
