using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Herald.Testing;

/// <summary>A request as a webhook receiver saw it: headers and the exact body bytes.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// What the receiver answers; <see cref="Delay"/> holds the response back (for timeouts), <see cref="Until"/> holds it
/// until the test completes that task (to keep attempts in flight for as long as a test needs).
/// </summary>
public sealed record ReceiverResponse(int StatusCode = 200, string Body = "ok", TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null, Task? Until = null)
{
    public static ReceiverResponse Ok { get; } = new();
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 with an ephemeral port that records every request and answers
/// whatever <see cref="Respond"/> says. Tests use it as a webhook endpoint.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly Channel<ReceivedRequest> _arrivals = Channel.CreateUnbounded<ReceivedRequest>();

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Decides the answer to each request; default 200 "ok". May be swapped at any time.</summary>
    public Func<ReceivedRequest, ReceiverResponse> Respond { get; set; } = _ => ReceiverResponse.Ok;

    public Uri BaseAddress { get; private set; } = null!;

    public string Url(string path = "/webhooks") => new Uri(BaseAddress, path).ToString();

    public IReadOnlyCollection<ReceivedRequest> Requests => _requests.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.Single();
        receiver.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>Waits for the next request not yet taken by an earlier call.</summary>
    public async Task<ReceivedRequest> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _arrivals.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No webhook request arrived at {BaseAddress} within {timeout ?? TimeSpan.FromSeconds(20)} ({_requests.Count} received so far).");
        }
    }

    /// <summary>Waits until <paramref name="predicate"/> holds over all requests received so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<ReceivedRequest>, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!predicate(Requests))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met at {BaseAddress} after {Requests.Count} requests.");
            }

            await Task.Delay(20);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path, headers, body.ToArray(), DateTimeOffset.UtcNow);
        _requests.Enqueue(request);
        _arrivals.Writer.TryWrite(request);

        var response = Respond(request);
        try
        {
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }

            if (response.Until is { } until)
            {
                await until.WaitAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _arrivals.Writer.TryComplete();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
