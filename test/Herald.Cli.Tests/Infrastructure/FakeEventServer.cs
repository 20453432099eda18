using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Herald.Contracts.Envelope;
using Herald.Contracts.Samples;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>One event as the stream serves it: its resume cursor and the envelope bytes.</summary>
public sealed record StreamItem(string Cursor, byte[] Envelope)
{
    public string Text => Encoding.UTF8.GetString(Envelope);
}

/// <summary>What a client sent when it opened the stream.</summary>
public sealed record StreamConnection(int Number, string? LastEventId, string? Accept, string? Authorization, string? AccountId, string? Events, string? UserAgent);

/// <summary>
/// A real Kestrel server on 127.0.0.1 that speaks the event-stream protocol herald listen and tail expect from
/// <c>GET /api/v1/events/stream</c> (Server-Sent Events: <c>id</c> cursor, <c>event: event</c>, one <c>data</c> line of
/// envelope JSON, <c>:</c> keep-alives), and that each test scripts connection by connection: drop the connection in
/// the middle of a message, close it, go silent, answer 503 or 401. It tests the CLI's resume logic; it is not a
/// stand-in for Herald's own endpoint, whose end-to-end tests run against the real server.
/// </summary>
public sealed class FakeEventServer : IAsyncDisposable
{
    public const string Path = "/api/v1/events/stream";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StreamConnection> _connections = new();
    private readonly Channel<StreamConnection> _arrivals = Channel.CreateUnbounded<StreamConnection>();
    private int _count;

    private FakeEventServer(WebApplication app) => _app = app;

    /// <summary>How to answer each connection; by default, every item after the client's cursor, then hold the connection open.</summary>
    public Func<StreamConnection, HttpContext, Task>? Serve { get; set; }

    public IReadOnlyList<StreamItem> Items { get; set; } = [];

    public string Url { get; private set; } = null!;

    public IReadOnlyCollection<StreamConnection> Connections => _connections.ToArray();

    public static async Task<FakeEventServer> StartAsync(IReadOnlyList<StreamItem> items)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var stream = new FakeEventServer(app) { Items = items };
        app.Run(stream.HandleAsync);
        await app.StartAsync();
        stream.Url = app.Urls.Single();
        return stream;
    }

    /// <summary>Realistic envelopes: catalog samples, one with text that must survive byte for byte (non-ASCII, U+2028).</summary>
    public static List<StreamItem> MakeItems(int count, string accountId = "acct_stream")
    {
        var names = new[] { "payment_intent.succeeded", "refund.failed", "customer.created", "dispute.won" };
        var items = new List<StreamItem>();
        for (var i = 1; i <= count; i++)
        {
            var name = names[(i - 1) % names.Length];
            var data = name == "customer.created"
                ? Encoding.UTF8.GetBytes("{\"object\":{\"id\":\"cus_" + i + "\",\"name\":\"Zürich Café ☕ 東京\",\"note\":\"line\u2028separator\"}}")
                : Compact(EventSamples.GetData(name));
            var envelope = WebhookEnvelope.Serialize($"evt_stream_{i}", name, accountId, null, data, new DateTimeOffset(2026, 5, 20, 13, 54, i % 60, TimeSpan.Zero), "2026-02-27");
            items.Add(new StreamItem($"cur_{i:D4}", envelope));
        }

        return items;
    }

    // Envelopes travel as one data line: compact JSON, as Herald stores them.
    private static byte[] Compact(ReadOnlyMemory<byte> json) =>
        Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(json.Span)!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));

    public async Task<StreamConnection> NextConnectionAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            return await _arrivals.Reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No stream connection arrived in time ({_connections.Count} so far).");
        }
    }

    /// <summary>The items after <paramref name="cursor"/> (all of them when it is null).</summary>
    public IEnumerable<StreamItem> After(string? cursor) =>
        cursor is null ? Items : Items.SkipWhile(item => item.Cursor != cursor).Skip(1);

    public static async Task StartStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static async Task SendAsync(HttpContext context, StreamItem item)
    {
        var body = context.Response.Body;
        await body.WriteAsync(Encoding.UTF8.GetBytes($"id: {item.Cursor}\nevent: event\ndata: "), context.RequestAborted);
        await body.WriteAsync(item.Envelope, context.RequestAborted);
        await body.WriteAsync("\n\n"u8.ToArray(), context.RequestAborted);
        await body.FlushAsync(context.RequestAborted);
    }

    public static async Task KeepAliveAsync(HttpContext context)
    {
        await context.Response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes the start of a message and then kills the connection, as a crash or network cut would.</summary>
    public static async Task SendHalfAndDropAsync(HttpContext context, StreamItem item)
    {
        var body = context.Response.Body;
        await body.WriteAsync(Encoding.UTF8.GetBytes($"id: {item.Cursor}\nevent: event\ndata: "), context.RequestAborted);
        await body.WriteAsync(item.Envelope.AsMemory(0, item.Envelope.Length / 2), context.RequestAborted);
        await body.FlushAsync(context.RequestAborted);
        context.Abort();
    }

    public static async Task HoldOpenAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StreamAfterCursorAsync(StreamConnection connection, HttpContext context)
    {
        await StartStreamAsync(context);
        foreach (var item in After(connection.LastEventId))
        {
            await SendAsync(context, item);
            await KeepAliveAsync(context);
        }

        await HoldOpenAsync(context);
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != Path || context.Request.Method != "GET")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { code = "not_found", message = "No such route." });
            return;
        }

        var headers = context.Request.Headers;
        var connection = new StreamConnection(
            Interlocked.Increment(ref _count),
            headers.TryGetValue("Last-Event-ID", out var lastEventId) ? lastEventId.ToString() : null,
            headers.Accept.ToString(),
            headers.Authorization.ToString(),
            context.Request.Query["account_id"].FirstOrDefault(),
            context.Request.Query["events"].FirstOrDefault(),
            headers.UserAgent.ToString());
        _connections.Enqueue(connection);
        _arrivals.Writer.TryWrite(connection);
        try
        {
            await (Serve ?? StreamAfterCursorAsync)(connection, context);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _arrivals.Writer.TryComplete();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
