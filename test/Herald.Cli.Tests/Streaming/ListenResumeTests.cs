using Herald.Cli.Tests.Infrastructure;
using Herald.Receiver;
using Herald.Testing;
using Microsoft.AspNetCore.Http;

namespace Herald.Cli.Tests.Streaming;

/// <summary>
/// <c>herald listen</c> against a scripted event stream (see <see cref="FakeEventServer"/>) and a real Kestrel
/// receiver: what reaches the receiver must be every envelope once, in order, byte for byte, signed with the local
/// secret, however the stream breaks. Each stream ends with a sentinel event: forwarding is sequential, so once the
/// sentinel has arrived any duplicate would have arrived before it.
/// </summary>
public sealed class ListenResumeTests : IAsyncLifetime
{
    private const string Secret = "whsec_listen_tests_0123456789";
    private const string ApiKey = "hk_fake_stream_key";

    private FakeEventServer _stream = null!;
    private WebhookReceiver _receiver = null!;
    private readonly List<StreamItem> _items = FakeEventServer.MakeItems(8);

    private StreamItem Sentinel => _items[^1];

    public async ValueTask InitializeAsync()
    {
        _stream = await FakeEventServer.StartAsync(_items);
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _stream.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_dropped_in_the_middle_of_a_message_resumes_after_the_last_forwarded_event()
    {
        _stream.Serve = async (connection, context) =>
        {
            if (connection.Number == 1)
            {
                await FakeEventServer.StartStreamAsync(context);
                foreach (var item in _items.Take(3))
                {
                    await FakeEventServer.SendAsync(context, item);
                    await FakeEventServer.KeepAliveAsync(context);
                }

                // A reset connection loses what the client has not read yet, so cut it once the third event has
                // reached the receiver: from then on, that is the last event listen can have forwarded.
                await _receiver.WaitUntilAsync(requests => requests.Count == 3);
                await FakeEventServer.SendHalfAndDropAsync(context, _items[3]);
                return;
            }

            await _stream.StreamAfterCursorAsync(connection, context);
        };
        await using var listen = StartListen("--events", "refund.failed,customer.created", "--account", "acct_stream");

        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        AssertEveryEventOnceInOrder();
        var connections = _stream.Connections.OrderBy(c => c.Number).ToList();
        Assert.Equal(2, connections.Count);
        Assert.Null(connections[0].LastEventId);
        Assert.Equal(_items[2].Cursor, connections[1].LastEventId);
        Assert.All(connections, c =>
        {
            Assert.Equal("text/event-stream", c.Accept);
            Assert.Equal($"Bearer {ApiKey}", c.Authorization);
            Assert.Equal("acct_stream", c.AccountId);
            Assert.Equal("refund.failed,customer.created", c.Events);
            Assert.StartsWith("herald-cli/", c.UserAgent, StringComparison.Ordinal);
        });
        await listen.WaitForLineAsync($"Reconnected; resuming after {_items[2].Cursor}");
        Assert.Equal(0, await listen.TerminateAsync());
    }

    [Fact]
    public async Task A_stream_closed_while_an_event_is_being_forwarded_resumes_after_the_events_already_received()
    {
        // The receiver holds the second event while the server ends the stream after the third: the third is
        // still forwarded from what was received, and the next connection starts after it.
        _receiver.Respond = request => request.BodyText == _items[1].Text ? new ReceiverResponse(Delay: TimeSpan.FromMilliseconds(300)) : ReceiverResponse.Ok;
        _stream.Serve = async (connection, context) =>
        {
            if (connection.Number == 1)
            {
                await FakeEventServer.StartStreamAsync(context);
                foreach (var item in _items.Take(3))
                {
                    await FakeEventServer.SendAsync(context, item);
                }

                return;
            }

            await _stream.StreamAfterCursorAsync(connection, context);
        };
        await using var listen = StartListen();

        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        AssertEveryEventOnceInOrder();
        Assert.Equal(_items[2].Cursor, _stream.Connections.Single(c => c.Number == 2).LastEventId);
        await listen.WaitForLineAsync("the server closed the stream");
    }

    [Fact]
    public async Task A_connection_that_goes_silent_is_replaced_after_the_idle_timeout()
    {
        _stream.Serve = async (connection, context) =>
        {
            if (connection.Number == 1)
            {
                await FakeEventServer.StartStreamAsync(context);
                await FakeEventServer.SendAsync(context, _items[0]);
                await FakeEventServer.HoldOpenAsync(context);
                return;
            }

            await _stream.StreamAfterCursorAsync(connection, context);
        };
        await using var listen = StartListen("--idle-timeout", "1s");

        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        AssertEveryEventOnceInOrder();
        Assert.Equal(_items[0].Cursor, _stream.Connections.Single(c => c.Number == 2).LastEventId);
        await listen.WaitForLineAsync("nothing arrived for 1 s");
    }

    [Fact]
    public async Task A_server_that_answers_503_is_retried_until_it_streams()
    {
        _stream.Serve = async (connection, context) =>
        {
            if (connection.Number <= 2)
            {
                context.Response.StatusCode = 503;
                await context.Response.WriteAsync("{\"code\":\"internal_error\",\"message\":\"restarting\"}");
                return;
            }

            await _stream.StreamAfterCursorAsync(connection, context);
        };
        await using var listen = StartListen();

        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        AssertEveryEventOnceInOrder();
        Assert.All(_stream.Connections, c => Assert.Null(c.LastEventId));
        await listen.WaitForLineAsync("the server answered 503");
    }

    [Fact]
    public async Task Ctrl_c_stops_listen_cleanly_with_exit_code_0()
    {
        Assert.SkipWhen(CliProcess.InterruptIgnored, "SIGINT is ignored in this process (started as a background job), so Ctrl+C cannot reach herald.");
        await using var listen = StartListen();
        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        var exitCode = await listen.InterruptAsync();

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("error", listen.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_refused_key_ends_listen_with_exit_code_3_without_retrying()
    {
        _stream.Serve = async (_, context) =>
        {
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"code\":\"unauthorized\",\"message\":\"The API key is not valid; check that it was copied whole.\"}");
        };
        await using var listen = StartListen();

        var exitCode = await listen.WaitForExitAsync();

        Assert.Equal(3, exitCode);
        Assert.Single(_stream.Connections);
        Assert.Contains("unauthorized (401): The API key is not valid", listen.Output, StringComparison.Ordinal);
        Assert.Contains("came from --api-key", listen.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_secret_listen_makes_one_prints_it_and_signs_with_it()
    {
        await using var listen = CliProcess.Start(["listen", "--forward-to", _receiver.Url("/local"), "--url", _stream.Url, "--api-key", ApiKey]);

        var secret = (await listen.WaitForLineAsync(@"Your webhook signing secret is (whsec_[A-Za-z0-9_-]{43})\b")).Groups[1].Value;
        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));

        Assert.All(_receiver.Requests, request =>
        {
            var result = HeraldWebhook.Verify(request.Body, request.Header("x-timestamp"), request.Header("x-signature"), secret);
            Assert.True(result.IsValid, result.Explanation);
        });
    }

    [Fact]
    public async Task Each_forwarded_event_is_shown_with_its_name_id_status_and_duration()
    {
        _receiver.Respond = request => request.BodyText == _items[1].Text ? new ReceiverResponse(StatusCode: 400, Body: "x-signature does not match") : ReceiverResponse.Ok;
        await using var listen = StartListen();

        await _receiver.WaitUntilAsync(requests => requests.Any(r => r.BodyText == Sentinel.Text));
        await listen.WaitForLineAsync($"evt_stream_{_items.Count}");

        var lines = listen.StdOutLines;
        Assert.Matches(@"--> payment_intent\.succeeded evt_stream_1\s+<-- 200 \(\d+(\.\d)? ms\)", lines[0]);
        Assert.Matches(@"--> refund\.failed evt_stream_2\s+<-- 400 \(\d+(\.\d)? ms\)", lines[1]);
        Assert.Contains("x-signature does not match", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_app_that_is_down_is_reported_and_listen_goes_on_to_the_next_event()
    {
        await using var listen = CliProcess.Start(["listen", "--forward-to", "http://127.0.0.1:9/down", "--url", _stream.Url, "--api-key", ApiKey, "--secret", Secret, "--json"]);

        await listen.WaitForLineAsync($"\"id\":\"evt_stream_{_items.Count}\"");

        Assert.Equal(_items.Count, listen.StdOutLines.Count);
        Assert.All(listen.StdOutLines, line => Assert.Contains("\"error\":", line, StringComparison.Ordinal));
        Assert.Single(_stream.Connections);
    }

    private CliProcess StartListen(params string[] extra) =>
        CliProcess.Start(["listen", "--forward-to", _receiver.Url("/local"), "--url", _stream.Url, "--api-key", ApiKey, "--secret", Secret, .. extra]);

    private void AssertEveryEventOnceInOrder()
    {
        var requests = _receiver.Requests.ToList();
        Assert.Equal(_items.Select(i => i.Text), requests.Select(r => r.BodyText));
        Assert.All(requests.Zip(_items), pair =>
        {
            var (request, item) = pair;
            Assert.Equal(item.Envelope, request.Body);
            Assert.Equal("POST", request.Method);
            Assert.Equal("/local", request.Path);
            Assert.Equal("application/json", request.Header("content-type"));
            Assert.StartsWith("herald-cli/", request.Header("user-agent"), StringComparison.Ordinal);
            var result = HeraldWebhook.Verify(request.Body, request.Header("x-timestamp"), request.Header("x-signature"), Secret);
            Assert.True(result.IsValid, result.Explanation);
        });
    }
}
