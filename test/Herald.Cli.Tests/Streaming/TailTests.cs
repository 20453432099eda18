using System.Text;
using Herald.Cli.Tests.Infrastructure;

namespace Herald.Cli.Tests.Streaming;

public sealed class TailTests : IAsyncLifetime
{
    private readonly List<StreamItem> _items = FakeEventServer.MakeItems(6);
    private FakeEventServer _stream = null!;

    public async ValueTask InitializeAsync() => _stream = await FakeEventServer.StartAsync(_items);

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    [Fact]
    public async Task Tail_json_prints_each_envelope_exactly_once_per_line_across_a_dropped_connection()
    {
        var printedTwo = new TaskCompletionSource();
        _stream.Serve = async (connection, context) =>
        {
            if (connection.Number == 1)
            {
                await FakeEventServer.StartStreamAsync(context);
                await FakeEventServer.SendAsync(context, _items[0]);
                await FakeEventServer.SendAsync(context, _items[1]);
                await printedTwo.Task.WaitAsync(context.RequestAborted);
                await FakeEventServer.SendHalfAndDropAsync(context, _items[2]);
                return;
            }

            await _stream.StreamAfterCursorAsync(connection, context);
        };
        await using var tail = CliProcess.Start(["events", "tail", "--json", "--url", _stream.Url, "--api-key", "hk_tail"]);
        await tail.WaitForLineAsync("\"id\":\"evt_stream_2\"");
        printedTwo.SetResult();

        await tail.WaitForLineAsync("\"id\":\"evt_stream_6\"");

        Assert.Equal(_items.Select(i => i.Text), tail.StdOutLines);
        Assert.Equal(_items[1].Cursor, _stream.Connections.Single(c => c.Number == 2).LastEventId);
        Assert.Equal(0, await tail.TerminateAsync());
    }

    [Fact]
    public async Task Tail_without_json_prints_one_summary_line_per_event()
    {
        await using var tail = CliProcess.Start(["events", "tail", "--url", _stream.Url, "--api-key", "hk_tail"]);

        await tail.WaitForLineAsync("evt_stream_6");

        Assert.Equal(_items.Count, tail.StdOutLines.Count);
        Assert.Matches(@"^2026-05-20T13:54:01\+0000  payment_intent\.succeeded  evt_stream_1  acct_stream$", tail.StdOutLines[0]);
        Assert.Contains(Encoding.UTF8.GetString("customer.created"u8), tail.StdOutLines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_names_the_missing_route_when_the_server_has_no_stream()
    {
        await using var tail = CliProcess.Start(["events", "tail", "--url", _stream.Url + "/nested", "--api-key", "hk_tail"]);

        var exitCode = await tail.WaitForExitAsync();

        Assert.Equal(3, exitCode);
        Assert.Contains("without the event stream", tail.Output, StringComparison.Ordinal);
    }
}
