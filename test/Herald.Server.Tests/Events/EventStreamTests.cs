using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Herald.Server.Tests.Partners;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Events;

/// <summary>GET /api/v1/events/stream: a tenant's new events as Server-Sent Events, resumable without gaps or repeats.</summary>
public sealed class EventStreamTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HeraldTestServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>
    /// Reads messages off a stream until <paramref name="count"/> events came: (id, data) pairs. Meanwhile the server's
    /// clock moves a poll interval at a time, as real time would: on PostgreSQL an event is handed out only once every
    /// older transaction of the cluster has ended (a stream's position must never be passed by a later commit), and an
    /// event held back that way is found by the next poll, not by a wake-up. The suite's other databases share the
    /// cluster, so their transactions can hold an event back here.
    /// </summary>
    private async Task<List<(string Id, JsonObject Data)>> ReadEventsAsync(StreamReader reader, int count)
    {
        using var polling = new CancellationTokenSource();
        var clock = Task.Run(async () =>
        {
            while (!polling.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), polling.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _server.Advance(TimeSpan.FromSeconds(1));
            }
        });
        try
        {
            // Generous: the suite's stalled-writes test holds write transactions open on the shared cluster for 12 s and more.
            return await ReadEventsAsync(reader, count, TimeSpan.FromSeconds(90));
        }
        finally
        {
            await polling.CancelAsync();
            await clock;
        }
    }

    private static async Task<List<(string Id, JsonObject Data)>> ReadEventsAsync(StreamReader reader, int count, TimeSpan within)
    {
        var events = new List<(string, JsonObject)>();
        var lines = new List<string>();
        string? id = null;
        using var timeout = new CancellationTokenSource(within);
        while (events.Count < count)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"{count} events were expected within {within.TotalSeconds:0} s; the stream sent {events.Count}: {string.Join(" | ", lines)}");
            }

            lines.Add(line ?? throw new EndOfStreamException($"The stream ended after: {string.Join(" | ", lines)}"));
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((id!, JsonNode.Parse(line[6..])!.AsObject()));
            }
        }

        return events;
    }

    private async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenAsync(HttpClient client, string query = "", string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": herald event stream", await reader.ReadLineAsync()); // the stream is open from here on
        return (response, reader);
    }

    [Fact]
    public async Task A_key_streams_its_own_new_events_only_and_resumes_after_the_last_one_it_saw()
    {
        var mine = await _server.CreateAccountAsync("Mine");
        var other = await _server.CreateAccountAsync("Other");
        using var key = await _server.KeyClientAsync(accountId: mine);
        await _server.PublishAsync(mine, id: "evt_before"); // before the stream: not sent

        var (first, reader) = await OpenAsync(key);
        await _server.PublishAsync(other, id: "evt_not_mine");
        for (var i = 0; i < 3; i++)
        {
            await _server.PublishAsync(mine, id: $"evt_{i}");
        }

        var seen = await ReadEventsAsync(reader, 2);
        first.Dispose(); // dropped after two of three

        await _server.PublishAsync(mine, id: "evt_3");
        var (second, resumed) = await OpenAsync(key, lastEventId: seen[^1].Id);
        var rest = await ReadEventsAsync(resumed, 2);
        second.Dispose();

        Assert.Equal(["evt_0", "evt_1", "evt_2", "evt_3"], seen.Concat(rest).Select(e => e.Data["id"]!.GetValue<string>()));
        var stored = await _server.GetAsync("/api/v1/events/evt_0");
        Assert.Equal(stored.ToJsonString(), seen[0].Data.ToJsonString());
    }

    [Fact]
    public async Task The_events_filter_narrows_the_stream_and_bad_input_is_a_4xx_before_it_starts()
    {
        var account = await _server.CreateAccountAsync();
        var (response, reader) = await OpenAsync(_server.Client, $"?account_id={account}&events=refund.received");
        await _server.PublishAsync(account, "payment_intent.succeeded", id: "evt_skipped");
        await _server.PublishAsync(account, "refund.received", id: "evt_refund");

        var events = await ReadEventsAsync(reader, 1);
        response.Dispose();
        using var badCursor = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream");
        badCursor.Headers.Add("Last-Event-ID", "not-a-cursor");
        using var badCursorAnswer = await _server.Client.SendAsync(badCursor);
        using var badName = await _server.Client.GetAsync("/api/v1/events/stream?events=refund.exploded");

        Assert.Equal("evt_refund", Assert.Single(events).Data["id"]!.GetValue<string>());
        Assert.True(badCursorAnswer.StatusCode == HttpStatusCode.BadRequest, $"A bad cursor answered {badCursorAnswer.StatusCode}: {await badCursorAnswer.Content.ReadAsStringAsync()}");
        Assert.True(badName.StatusCode == HttpStatusCode.BadRequest, $"An unknown event name answered {badName.StatusCode}: {await badName.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task An_event_committed_later_never_lands_behind_a_position_already_handed_out()
    {
        // SQLite lets one writer at a time commit, so there the order is the sequence order by construction.
        Assert.SkipWhen(!HeraldTestServer.UsePostgres, "concurrent commits are a PostgreSQL matter (the PostgreSQL pass runs it)");
        var account = await _server.CreateAccountAsync();
        var feed = _server.Services.GetRequiredService<IEventFeedStore>();
        var start = await feed.EndAsync(CancellationToken.None);
        var database = _server.Services.GetRequiredService<SqlDatabase>();

        // A slow writer takes its sequence number first and commits last.
        await using var slow = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var insert = slow.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO events (id, name, account_id, created_at, version, content_hash, body, ingested_at) VALUES ('evt_slow', 'refund.received', '{account}', 0, '2026-02-27', X'00', X'7B7D', 0)";
            insert.CommandText = insert.CommandText.Replace("X'00', X'7B7D'", "'\\x00'::bytea, '\\x7b7d'::bytea", StringComparison.Ordinal);
            await insert.ExecuteNonQueryAsync();
        }

        await _server.PublishAsync(account, id: "evt_fast"); // commits while the slow one is still open
        var whileOpen = await feed.ReadAsync(OwnerScope.Everything, null, start, 100, CancellationToken.None);
        await transaction.CommitAsync();
        var afterCommit = await feed.ReadAsync(OwnerScope.Everything, null, whileOpen.Next, 100, CancellationToken.None);

        Assert.Empty(whileOpen.Events); // the fast one waits behind the open transaction…
        Assert.Equal(["evt_slow", "evt_fast"], afterCommit.Events.Select(e => e.Event.Id)); // …and both come, in commit-safe order
    }
}
