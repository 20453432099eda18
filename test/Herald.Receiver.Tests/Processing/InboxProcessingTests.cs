using System.Data.Common;
using Herald.Receiver.Events;
using Herald.Receiver.Processing;
using Herald.Receiver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Processing;

public sealed class InboxProcessingTests
{
    private static Action<IServiceCollection> With(Recorder recorder) => services => services.AddSingleton(recorder);

    [Fact]
    public async Task A_failing_handler_is_retried_with_exponential_backoff_on_the_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var recorder = new Recorder();
        var id = Support.Events.NewId();
        recorder.FailuresToInject[id] = 2;
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            handlers: b => b.AddHandler<CustomerCreated, RecordingHandler<CustomerCreated>>(),
            time: clock,
            services: With(recorder));

        using var response = await app.PostSignedAsync(Support.Events.Envelope("customer.created", id));
        var afterFirst = await WaitForAttemptsAsync(app, id, 1);
        Assert.Equal(clock.GetUtcNow().AddSeconds(5), afterFirst.NextAttemptAt);
        Assert.Contains("injected failure 1", afterFirst.LastError);

        // A claim pass that saw the inbox 4 s later does not take the event: it is due only at 5 s.
        clock.Advance(TimeSpan.FromSeconds(4));
        await ClaimPassNowAsync(app, clock);
        Assert.Equal(1, (await app.Inbox.FindAsync(id))!.Attempts);
        Assert.Equal(1, recorder.Calls(id));

        clock.Advance(TimeSpan.FromSeconds(1));
        var afterSecond = await WaitForAttemptsAsync(app, id, 2);
        Assert.Equal(clock.GetUtcNow().AddSeconds(10), afterSecond.NextAttemptAt);

        clock.Advance(TimeSpan.FromSeconds(10));
        var processed = await app.WaitForStateAsync(id, InboxEntryState.Processed);

        Assert.Equal(3, processed.Attempts);
        Assert.Equal(3, recorder.Calls(id));
        Assert.Null(processed.LastError);
    }

    [Fact]
    public async Task A_poison_event_is_parked_after_the_maximum_tries_is_visible_and_can_be_requeued()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var recorder = new Recorder();
        var id = Support.Events.NewId();
        recorder.FailuresToInject[id] = 3;
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            options => options.MaxAttempts = 3,
            b => b.AddHandler<WebhookEvent, RecordingHandler<WebhookEvent>>(),
            clock,
            services: With(recorder));

        using var response = await app.PostSignedAsync(Support.Events.Envelope("dispute.lost", id));
        await WaitForAttemptsAsync(app, id, 1);
        clock.Advance(TimeSpan.FromSeconds(5));
        await WaitForAttemptsAsync(app, id, 2);
        clock.Advance(TimeSpan.FromSeconds(10));
        var parked = await app.WaitForStateAsync(id, InboxEntryState.Parked);
        clock.Advance(TimeSpan.FromHours(2));
        await ClaimPassNowAsync(app, clock);

        Assert.Equal(3, parked.Attempts);
        Assert.Equal(3, recorder.Calls(id));
        Assert.Equal(id, Assert.Single(await app.Inbox.GetParkedAsync()).EventId);
        Assert.Equal(new InboxCounts(0, 0, 1), await app.Inbox.GetCountsAsync());

        Assert.True(await app.Inbox.RequeueAsync(id));
        clock.Advance(TimeSpan.FromSeconds(1));
        await app.WaitForStateAsync(id, InboxEntryState.Processed);
        Assert.Equal(4, recorder.Calls(id));
        Assert.Empty(await app.Inbox.GetParkedAsync());
    }

    [Fact]
    public async Task Events_without_a_handler_are_completed_and_an_unknown_name_reaches_a_catch_all_handler()
    {
        var recorder = new Recorder();
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            handlers: b => b.AddHandler<UnknownWebhookEvent, RecordingHandler<UnknownWebhookEvent>>(),
            services: With(recorder));
        var known = Support.Events.NewId();
        var unknown = Support.Events.NewId();

        using var first = await app.PostSignedAsync(Support.Events.Envelope("customer.created", known));
        using var second = await app.PostSignedAsync(Support.Events.Envelope("payout.created", unknown));
        await app.WaitForStateAsync(known, InboxEntryState.Processed);
        await app.WaitForStateAsync(unknown, InboxEntryState.Processed);

        Assert.Equal(0, recorder.Calls(known));
        Assert.Equal(1, recorder.Calls(unknown));
    }

    [Fact]
    public async Task Stopping_the_host_mid_processing_and_starting_again_completes_the_handler_exactly_once()
    {
        var database = ReceiverApp.NewSqliteDatabase();
        var id = Support.Events.NewId();
        var first = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var app = await ReceiverApp.StartAsync(database, handlers: b => b.AddHandler<WebhookEvent, TransactionalHandler>(), services: With(first));
        using (var response = await app.PostSignedAsync(Support.Events.Envelope("payment_attempt.paid", id)))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await first.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.DisposeAsync();
        Assert.Equal(InboxEntryState.Pending, (await FindAsync(database, id))!.State);

        var second = new Recorder();
        await using var restarted = await ReceiverApp.StartAsync(database, handlers: b => b.AddHandler<WebhookEvent, TransactionalHandler>(), services: With(second));
        var processed = await restarted.WaitForStateAsync(id, InboxEntryState.Processed);

        Assert.Equal(1, first.Calls(id));
        Assert.Equal(1, second.Calls(id));
        Assert.Equal(1, processed.Attempts);
        Assert.Equal(1, await TransactionalHandler.CountEffectsAsync(restarted, id));
    }

    [Fact]
    public async Task A_crashed_workers_claim_expires_and_the_side_effect_commits_exactly_once()
    {
        var database = ReceiverApp.NewSqliteDatabase();
        var id = Support.Events.NewId();
        var zombieGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first process "hangs": its handler ignores shutdown, so the host gives up on it with the claim held.
        var hung = new Recorder { Gate = zombieGate, IgnoreCancellation = true };
        var app = await ReceiverApp.StartAsync(
            database,
            options => options.LeaseDuration = TimeSpan.FromSeconds(2),
            b => b.AddHandler<WebhookEvent, TransactionalHandler>(),
            services: s =>
            {
                s.AddSingleton(hung);
                s.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
            });
        using (await app.PostSignedAsync(Support.Events.Envelope("payment_intent.succeeded", id)))
        {
        }

        await hung.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var hungProbe = app.Probe;
        await app.DisposeAsync();

        var second = new Recorder();
        await using var restarted = await ReceiverApp.StartAsync(
            database,
            options => options.LeaseDuration = TimeSpan.FromSeconds(2),
            b => b.AddHandler<WebhookEvent, TransactionalHandler>(),
            services: With(second));
        var processed = await restarted.WaitForStateAsync(id, InboxEntryState.Processed, TimeSpan.FromSeconds(20));

        // The hung handler now finishes: its completion must be rolled back because it no longer owns the event.
        zombieGate.SetResult();
        await hungProbe.WaitUntilAsync(() => hungProbe.OutcomesOf(id).Count > 0, "the hung handler's outcome");

        Assert.Equal([InboxOutcome.LeaseLost], hungProbe.OutcomesOf(id));
        Assert.Equal(1, second.Calls(id));
        Assert.Equal(2, processed.Attempts);
        Assert.Equal(1, await TransactionalHandler.CountEffectsAsync(restarted, id));
    }

    private static async Task<InboxEntry?> FindAsync(string database, string id)
    {
        await using var store = new Herald.Receiver.Sqlite.SqliteInboxStore(database, SqliteInboxSynchronous.Normal, TimeProvider.System);
        return await store.FindAsync(id);
    }

    /// <summary>Waits until the event failed <paramref name="attempts"/> tries (each recorded), then reads it.</summary>
    private static async Task<InboxEntry> WaitForAttemptsAsync(ReceiverApp app, string id, int attempts)
    {
        await app.Probe.WaitUntilAsync(() => app.Probe.OutcomesOf(id).Count(o => o == InboxOutcome.Failed) >= attempts, $"{attempts} failed tries of {id}");
        return (await app.Inbox.FindAsync(id))!;
    }

    /// <summary>Wakes the processor and waits for a claim pass that read the inbox at the clock's current time.</summary>
    internal static async Task ClaimPassNowAsync(ReceiverApp app, FakeTimeProvider clock)
    {
        var now = clock.GetUtcNow();
        app.Store.NewEvents.Notify();
        await app.Probe.WaitForClaimPassAsync(now);
    }
}

/// <summary>A handler whose side effect is a row written in the inbox transaction: it commits with the event or not at all.</summary>
internal sealed class TransactionalHandler(Recorder recorder) : IWebhookHandler<WebhookEvent>
{
    public async Task HandleAsync(WebhookEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken)
    {
        // Block before writing: in SQLite the transaction's first write takes the database's write lock.
        await recorder.RecordAsync(webhookEvent, context, cancellationToken);
        await Execute(context.Connection, context.Transaction, "CREATE TABLE IF NOT EXISTS test_effects (event_id TEXT NOT NULL)", null, cancellationToken);
        await Execute(context.Connection, context.Transaction, "INSERT INTO test_effects (event_id) VALUES (@id)", webhookEvent.Id, cancellationToken);
    }

    public static async Task<long> CountEffectsAsync(ReceiverApp app, string id)
    {
        await using var connection = await app.Store.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();

        // The handler creates the table in its transaction; when every run rolled back, it does not exist yet.
        command.CommandText = "CREATE TABLE IF NOT EXISTS test_effects (event_id TEXT NOT NULL)";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "SELECT COUNT(*) FROM test_effects WHERE event_id = @id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task Execute(DbConnection connection, DbTransaction transaction, string sql, string? id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (id is not null)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "id";
            parameter.Value = id;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed class UnreadableEventTests
{
    [Fact]
    public async Task An_authentic_event_whose_object_cannot_be_read_is_parked_at_once_without_calling_handlers()
    {
        var recorder = new Recorder();
        await using var app = await ReceiverApp.StartAsync(
            ReceiverApp.NewSqliteDatabase(),
            handlers: b => b.AddHandler<WebhookEvent, RecordingHandler<WebhookEvent>>(),
            services: s => s.AddSingleton(recorder));
        var id = Support.Events.NewId();

        using var response = await app.PostSignedAsync(Support.Events.Envelope("refund.failed", id, "{\"object\":{\"id\":\"rfd_1\",\"amount\":\"lots\"}}"));
        var parked = await app.WaitForStateAsync(id, InboxEntryState.Parked);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, parked.Attempts);
        Assert.Contains("FormatException", parked.LastError);
        Assert.Equal(0, recorder.Calls(id));
    }
}
