using Herald.Receiver.Events;
using Herald.Receiver.Processing;
using Herald.Receiver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Processing;

/// <summary>
/// Claims on the fake clock: a handler slower than its lease keeps the event by renewing it; one that outlives its
/// lease (the process stalled) cannot commit and never runs alongside its own retry; a claim taken over by another
/// worker stops the old handler, which cannot commit.
/// </summary>
public sealed class LeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public static TheoryData<TestInbox> Inboxes => [TestInbox.Sqlite, TestInbox.Postgres];

    private static FakeTimeProvider NewClock() => new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    [Theory]
    [MemberData(nameof(Inboxes))]
    public async Task A_handler_slower_than_its_lease_keeps_its_claim_by_renewing_it_and_commits_once(TestInbox inbox)
    {
        var clock = NewClock();
        var recorder = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var app = await ReceiverApp.StartAsync(
            await ReceiverApp.NewDatabaseAsync(inbox),
            options => options.LeaseDuration = Lease,
            b => b.AddHandler<WebhookEvent, TransactionalHandler>(),
            clock,
            services: s => s.AddSingleton(recorder),
            inbox: inbox);
        var id = Support.Events.NewId();

        using var response = await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", id));
        await recorder.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        for (var renewal = 1; renewal <= 9; renewal++)
        {
            // Every third of the lease the worker extends its claim; three whole leases pass while the handler runs.
            clock.Advance(Lease / 3);
            var expected = clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)Lease.TotalMilliseconds;
            await app.Probe.WaitUntilAsync(() => app.Probe.Renewals.Any(r => r.EventId == id && r.Until == expected), $"renewal {renewal}");
            await InboxProcessingTests.ClaimPassNowAsync(app, clock);
        }

        Assert.Equal(1, (await app.Inbox.FindAsync(id))!.Attempts);
        recorder.Gate.SetResult();
        var processed = await app.WaitForStateAsync(id, InboxEntryState.Processed);
        await app.Probe.WaitForOutcomeAsync(id, InboxOutcome.Processed);

        Assert.Equal(1, processed.Attempts);
        Assert.Equal(1, recorder.Calls(id));
        Assert.Equal([InboxOutcome.Processed], app.Probe.OutcomesOf(id));
        Assert.Equal(1, await TransactionalHandler.CountEffectsAsync(app, id));
    }

    [Theory]
    [MemberData(nameof(Inboxes))]
    public async Task A_handler_that_outlives_its_lease_cannot_commit_and_its_retry_waits_for_it_to_end(TestInbox inbox)
    {
        var clock = NewClock();

        // The handler ignores cancellation, as a stuck call would: it ends only when the test opens the gate.
        var recorder = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), IgnoreCancellation = true };
        await using var app = await ReceiverApp.StartAsync(
            await ReceiverApp.NewDatabaseAsync(inbox),
            options => options.LeaseDuration = Lease,
            b => b.AddHandler<WebhookEvent, TransactionalHandler>(),
            clock,
            services: s => s.AddSingleton(recorder),
            inbox: inbox);
        var id = Support.Events.NewId();

        using var response = await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", id));
        await recorder.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The process stalls past the whole lease: no renewal got through, so the event is claimed again.
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await InboxProcessingTests.ClaimPassNowAsync(app, clock);
        Assert.Equal(2, (await app.Inbox.FindAsync(id))!.Attempts);

        recorder.Gate.SetResult();
        var processed = await app.WaitForStateAsync(id, InboxEntryState.Processed);
        await app.Probe.WaitUntilAsync(() => app.Probe.OutcomesOf(id).Count == 2, "both runs to end");

        // The stalled run ended without committing; only then did the retry run, and it committed once.
        Assert.Equal([InboxOutcome.LeaseLost, InboxOutcome.Processed], app.Probe.OutcomesOf(id));
        Assert.Equal([1, 2], app.Probe.Starts.Where(s => s.EventId == id).Select(s => s.Attempt));
        Assert.Equal(1, recorder.MaxRunning);
        Assert.Equal(2, recorder.Calls(id));
        Assert.Equal(2, processed.Attempts);
        Assert.Equal(1, await TransactionalHandler.CountEffectsAsync(app, id));
    }

    [Theory]
    [MemberData(nameof(Inboxes))]
    public async Task A_claim_taken_over_by_another_worker_stops_the_old_handler_and_it_cannot_commit(TestInbox inbox)
    {
        var clock = NewClock();
        // The handler waits for a gate that never opens, but honours cancellation.
        var recorder = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var app = await ReceiverApp.StartAsync(
            await ReceiverApp.NewDatabaseAsync(inbox),
            options => options.LeaseDuration = Lease,
            b => b.AddHandler<WebhookEvent, TransactionalHandler>(),
            clock,
            services: s => s.AddSingleton(recorder),
            inbox: inbox);
        var id = Support.Events.NewId();
        using var response = await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", id));
        await recorder.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Another receiver process holds the event now (as after a requeue and its claim).
        var otherUntil = clock.GetUtcNow().Add(Lease).ToUnixTimeMilliseconds();
        await ExecuteAsync(app, $"UPDATE herald_inbox SET lease_token = 'other', locked_by = 'other-process', locked_until = {otherUntil} WHERE event_id = @id", id);
        // The next renewal finds the claim is not this worker's any more and cancels the handler.
        clock.Advance(Lease / 3);
        await app.Probe.WaitForOutcomeAsync(id, InboxOutcome.LeaseLost);

        Assert.Equal([InboxOutcome.LeaseLost], app.Probe.OutcomesOf(id));
        Assert.Equal(0, await TransactionalHandler.CountEffectsAsync(app, id));
        var entry = (await app.Inbox.FindAsync(id))!;
        Assert.Equal((InboxEntryState.Pending, 1), (entry.State, entry.Attempts));
        Assert.Equal("other", await ScalarAsync(app, "SELECT lease_token FROM herald_inbox WHERE event_id = @id", id));
    }

    private static async Task ExecuteAsync(ReceiverApp app, string sql, string id)
    {
        await using var connection = await app.Store.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(ReceiverApp app, string sql, string id)
    {
        await using var connection = await app.Store.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        return await command.ExecuteScalarAsync();
    }
}
