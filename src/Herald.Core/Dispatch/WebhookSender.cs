using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Core.Deliveries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Sends one signed POST: the stored envelope bytes unchanged, <c>x-timestamp</c> taken now, <c>x-signature</c>
/// when the endpoint has a secret. One <see cref="SocketsHttpHandler"/> serves every endpoint; redirects are
/// not followed (a 3xx is a failed attempt).
/// </summary>
/// <remarks>
/// Hostile or quirky endpoints cost little: only the first 4 KiB of an answer is read and the rest is never drained
/// (the connection is dropped instead), a whole attempt is bounded by <see cref="DeliveryOptions.Timeout"/>, and a
/// connection whose server answered HTTP/1.0 (and so closes it) is never reused: a request that would go out on one
/// fails before a byte is written and is sent again at once on a fresh connection.
/// </remarks>
internal sealed partial class WebhookSender : IWebhookSender, IDisposable
{
    public const int MaxResponseBodyBytes = 4096;

    // A connection known to be closed is dropped before anything is sent on it, so resending is always safe; each
    // pooled connection can cost at most one such resend, and an endpoint has about as many as its concurrency ceiling
    // (Herald:Delivery:MaxConcurrencyPerEndpoint, 128 by default). The bound only guards against a loop.
    private const int MaxStaleConnectionResends = 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("Herald", typeof(WebhookSender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    private readonly HttpClient _client;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly NetworkGuard _guard;
    private readonly bool _viaProxy;

    public WebhookSender(IOptions<DeliveryOptions> options, TimeProvider timeProvider, NetworkDialer dialer, ILogger<WebhookSender> logger)
    {
        var settings = options.Value;
        _timeProvider = timeProvider;
        _timeout = settings.Timeout;
        _guard = new NetworkGuard(settings.AllowPrivateNetworks ?? false, settings.AllowedHosts, dialer, logger);
        var proxy = string.IsNullOrWhiteSpace(settings.Proxy) ? null : new Uri(settings.Proxy, UriKind.Absolute);
        _viaProxy = proxy is not null;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = proxy is not null,
            Proxy = proxy is null ? null : OutboundProxy.Create(proxy),
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // The unread rest of an answer is never drained to keep the connection: an endless body costs 4 KiB, not 1 MiB or 2 s.
            MaxResponseDrainSize = 0,
            MaxResponseHeadersLength = 64, // KiB

            // Through a proxy the proxy connects (Herald checks the destination before each attempt, the proxy must enforce it too).
            ConnectCallback = proxy is null ? _guard.ConnectAsync : _guard.ConnectToProxyAsync,
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new CloseAwareStream(context.PlaintextStream)),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<AttemptResult> SendAsync(string url, string? secret, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var startedAt = _timeProvider.GetUtcNow();
        var started = _timeProvider.GetTimestamp();
        var timestamp = WebhookTimestamps.FormatSignatureTimestamp(startedAt);
        var signature = string.IsNullOrEmpty(secret) ? null : WebhookSignature.Sign(secret, timestamp, body.Span);

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            if (_viaProxy)
            {
                // The proxy resolves the name itself; checking here keeps the guarantee for names that resolve to
                // internal addresses, while the proxy's own egress rules must cover a name that changes in between.
                await _guard.ResolveAllowedAsync(new Uri(url).IdnHost, linked.Token);
            }

            using var response = await SendOnLiveConnectionAsync(url, timestamp, signature, body, linked.Token);
            var responseBody = await ReadPrefixAsync(response, linked.Token);
            return new AttemptResult(
                startedAt, _timeProvider.GetElapsedTime(started), (int)response.StatusCode, null, responseBody, RetryAfter(response, startedAt),
                ClosesConnections: response.Version < HttpVersion.Version11 || response.Headers.ConnectionClose == true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failure($"timeout: no response within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (Exception exception) when (Find<DestinationNotAllowedException>(exception) is not null)
        {
            return Failure("destination not allowed: Herald does not deliver to this host's address");
        }
        catch (HttpRequestException exception)
        {
            return Failure(Describe(exception));
        }
        catch (IOException exception)
        {
            return Failure($"connection error: {Printable(exception.Message)}");
        }

        AttemptResult Failure(string error) => new(startedAt, _timeProvider.GetElapsedTime(started), null, error, null, null);
    }

    private async Task<HttpResponseMessage> SendOnLiveConnectionAsync(string url, string timestamp, string? signature, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        for (var resends = 0; ; resends++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
            request.Content.Headers.ContentType = JsonContentType;
            request.Headers.UserAgent.Add(UserAgent);
            request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, signature);
            }

            try
            {
                return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException exception) when (resends < MaxStaleConnectionResends && Find<StaleConnectionException>(exception) is not null)
            {
                // Nothing was written on the closed connection; the pool dropped it and the next try opens or takes another.
            }
        }
    }

    private static async Task<string?> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Only the first 4 KiB is kept; the rest is never read (disposing the response drops the connection).
        var buffer = new byte[MaxResponseBodyBytes];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return read == 0 ? null : Printable(Encoding.UTF8.GetString(buffer, 0, read));
    }

    /// <summary>
    /// Text from an endpoint as the attempt log keeps it: control characters other than tab and newlines become
    /// U+FFFD (PostgreSQL cannot store U+0000, and the log is read in terminals).
    /// </summary>
    internal static string Printable(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') < 0 && !text.Contains('\u007f', StringComparison.Ordinal))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = (c < ' ' && c is not ('\t' or '\n' or '\r')) || c == '\u007f' ? '\uFFFD' : c;
            }
        });
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Describe(HttpRequestException exception)
    {
        var kind = exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "DNS lookup failed",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            HttpRequestError.ProxyTunnelError => "the outbound proxy refused the connection",
            _ => "request failed",
        };
        var detail = exception.InnerException?.Message ?? exception.Message;
        return $"{kind}: {Printable(detail)}";
    }

    public void Dispose() => _client.Dispose();
}
