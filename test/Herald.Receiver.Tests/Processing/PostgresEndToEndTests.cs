using System.Net;
using Herald.Receiver.Events;
using Herald.Receiver.Tests.Support;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Tests.Processing;

public sealed class PostgresEndToEndTests
{
    [Fact]
    public async Task With_a_postgres_inbox_three_concurrent_deliveries_commit_the_side_effect_once_and_survive_a_restart()
    {
        var database = await PostgresServer.CreateDatabaseAsync("receiver_e2e");
        var id = Support.Events.NewId();
        var body = Support.Events.Envelope("payment_intent.succeeded", id);
        var first = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var app = await ReceiverApp.StartAsync(database, handlers: b => b.AddHandler<WebhookEvent, TransactionalHandler>(), services: s => s.AddSingleton(first), inbox: TestInbox.Postgres);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.PostSignedAsync(body)));
        await first.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await app.DisposeAsync();

        var second = new Recorder();
        await using var restarted = await ReceiverApp.StartAsync(database, handlers: b => b.AddHandler<WebhookEvent, TransactionalHandler>(), services: s => s.AddSingleton(second), inbox: TestInbox.Postgres);
        using var again = await restarted.PostSignedAsync(body);
        await restarted.WaitForStateAsync(id, InboxEntryState.Processed);

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, first.Calls(id));
        Assert.Equal(1, second.Calls(id));
        Assert.Equal(1, await TransactionalHandler.CountEffectsAsync(restarted, id));
    }
}
