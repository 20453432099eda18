using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using Herald.Cli.Api;
using Herald.Cli.Configuration;

namespace Herald.Cli.Streaming;

/// <summary>One event from the stream: its resume cursor and the envelope's exact bytes.</summary>
internal sealed record StreamedEvent(string? Cursor, byte[] Envelope);

/// <summary>What to stream: one account (for admin and organization keys), some event names, where to resume.</summary>
internal sealed record StreamQuery(string? AccountId, IReadOnlyList<string> Events, string? StartCursor = null);

/// <summary>Hears about the connection's life, for showing it to the user.</summary>
internal interface IStreamObserver
{
    void Connected(string? resumedAfter);

    void Disconnected(string reason, TimeSpan retryIn);
}

/// <summary>
/// The client of <c>GET /api/v1/events/stream</c> (Server-Sent Events, tenant-scoped by the key). Each message is
/// <c>id: &lt;cursor&gt;</c>, <c>event: event</c>, <c>data: &lt;envelope JSON&gt;</c>; lines starting with <c>:</c> are
/// keep-alives. Events are handed over one at a time, and the cursor advances only after the handler returns, so
/// after a dropped connection (network, server restart, no keep-alive for <see cref="IdleTimeout"/>) it reconnects
/// with <c>Last-Event-ID</c> set to the last cursor fully handled: nothing is skipped and nothing handled twice.
/// A message cut off by the drop was never handed over, so the server sends it again.
/// </summary>
internal sealed class EventStreamClient : IDisposable
{
    public const string StreamPath = "api/v1/events/stream";

    /// <summary>The first reconnection delay; it doubles per failed try up to <see cref="MaxDelay"/>. A <c>retry:</c> field from the server replaces it.</summary>
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(15);

    /// <summary>Three keep-alive periods (the server sends one every ~15 s).</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(45);

    private readonly HttpClient _http;
    private readonly HeraldApiClient _errors;
    private readonly CliSettings _settings;
    private readonly TimeProvider _time;
    private readonly IStreamObserver _observer;

    public EventStreamClient(CliSettings settings, TimeProvider time, IStreamObserver observer, TimeSpan? idleTimeout = null)
    {
        _settings = settings;
        _time = time;
        _observer = observer;
        IdleTimeout = idleTimeout ?? DefaultIdleTimeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = settings.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(HeraldApiClient.UserAgent);
        if (settings.ApiKey is { } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        }

        _errors = new HeraldApiClient(settings);
    }

    public TimeSpan IdleTimeout { get; }

    /// <summary>The cursor of the last event the handler finished; where the next connection resumes.</summary>
    public string? Cursor { get; private set; }

    /// <summary>
    /// Streams until <paramref name="cancellationToken"/> is cancelled, reconnecting after every drop. Throws
    /// <see cref="CliException"/> only for answers a retry cannot fix (bad key, no such route, bad query).
    /// </summary>
    public async Task RunAsync(StreamQuery query, Func<StreamedEvent, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        Cursor = query.StartCursor;
        var failures = 0;
        var baseDelay = InitialDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            TimeSpan? serverDelay = null;
            try
            {
                var outcome = await StreamOnceAsync(query, handle, cancellationToken);
                reason = outcome.Reason;
                serverDelay = outcome.RetryAfter;
                if (outcome.ServerRetry is { } retry)
                {
                    baseDelay = retry;
                }

                if (outcome.WasLive)
                {
                    failures = 0;
                }
            }
            catch (HttpRequestException exception) when (!cancellationToken.IsCancellationRequested)
            {
                reason = exception.HttpRequestError == HttpRequestError.ConnectionError
                    ? $"cannot connect to {_settings.Url.Value}: {exception.InnerException?.Message ?? exception.Message}"
                    : $"connection failed: {exception.InnerException?.Message ?? exception.Message}";
            }
            catch (IOException exception) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"connection lost: {exception.Message}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var delay = serverDelay ?? Backoff(baseDelay, failures++);
            _observer.Disconnected(reason, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static TimeSpan Backoff(TimeSpan baseDelay, int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures, 16));
        var delay = TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * factor);
        return delay < MaxDelay ? delay : MaxDelay;
    }

    public static string PathAndQuery(StreamQuery query) => HeraldApiClient.WithQuery(
        StreamPath,
        ("account_id", query.AccountId),
        ("events", query.Events.Count > 0 ? string.Join(',', query.Events) : null));

    private sealed record Outcome(string Reason, bool WasLive, TimeSpan? ServerRetry, TimeSpan? RetryAfter);

    private async Task<Outcome> StreamOnceAsync(StreamQuery query, Func<StreamedEvent, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, PathAndQuery(query));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        if (Cursor is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", Cursor);
        }

        using var response = await SendWithHeaderTimeoutAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (status is 408 or 429 || status >= 500)
            {
                return new Outcome($"the server answered {status}", false, null, RetryAfter(response));
            }

            var failure = _errors.Failure(HttpMethod.Get, StreamPath, status, body, null);
            throw status == (int)HttpStatusCode.NotFound
                ? new CliException(ExitCodes.ApiError, failure.Message, $"Either the account does not exist, or {_settings.Url.Value} is a Herald version without the event stream (GET /{StreamPath}).")
                : failure;
        }

        if (response.Content.Headers.ContentType?.MediaType is not "text/event-stream")
        {
            throw new CliException(
                ExitCodes.Unavailable,
                $"GET /{StreamPath} answered {status} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not text/event-stream.",
                $"Is {_settings.Url.Value} a Herald server with the event stream?");
        }

        _observer.Connected(Cursor);
        await using var stream = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken), IdleTimeout, _time);
        var parser = SseParser.Create(stream, static (_, data) => data.ToArray());
        TimeSpan? serverRetry = null;
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (parser.ReconnectionInterval is var interval && interval > TimeSpan.Zero && interval != Timeout.InfiniteTimeSpan)
            {
                serverRetry = interval;
            }

            // Other event types may carry control messages in later versions; only envelopes are handed over.
            if (item.EventType is not ("event" or SseParser.EventTypeDefault))
            {
                continue;
            }

            await handle(new StreamedEvent(parser.LastEventId is { Length: > 0 } id ? id : null, item.Data), cancellationToken);
            if (parser.LastEventId is { Length: > 0 } handled)
            {
                Cursor = handled;
            }
        }

        return new Outcome("the server closed the stream", stream.ReceivedAny, serverRetry, null);
    }

    private async Task<HttpResponseMessage> SendWithHeaderTimeoutAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var headers = new CancellationTokenSource(IdleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, headers.Token);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (OperationCanceledException) when (headers.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no answer within {IdleTimeout.TotalSeconds:0} s");
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < MaxDelay ? delta : MaxDelay,
        { Date: { } date } when date > _time.GetUtcNow() => date - _time.GetUtcNow() < MaxDelay ? date - _time.GetUtcNow() : MaxDelay,
        _ => null,
    };

    public void Dispose()
    {
        _http.Dispose();
        _errors.Dispose();
    }
}
