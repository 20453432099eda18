using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Core.Deliveries;
using Microsoft.Extensions.Options;

namespace Herald.Core.Dispatch;

/// <summary>
/// Sends one signed POST: the stored envelope bytes unchanged, <c>x-timestamp</c> taken now, <c>x-signature</c>
/// when the endpoint has a secret. One <see cref="SocketsHttpHandler"/> serves every endpoint; redirects are
/// not followed (a 3xx is a failed attempt).
/// </summary>
internal sealed class WebhookSender : IWebhookSender, IDisposable
{
    public const int MaxResponseBodyBytes = 4096;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly ProductInfoHeaderValue UserAgent = new("Herald", typeof(WebhookSender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    private readonly HttpClient _client;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;

    public WebhookSender(IOptions<DeliveryOptions> options, TimeProvider timeProvider)
    {
        var settings = options.Value;
        _timeProvider = timeProvider;
        _timeout = settings.Timeout;
        var guard = new NetworkGuard(settings.AllowPrivateNetworks ?? false, settings.AllowedHosts);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = guard.ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<AttemptResult> SendAsync(string url, string? secret, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var startedAt = _timeProvider.GetUtcNow();
        var started = _timeProvider.GetTimestamp();
        var timestamp = WebhookTimestamps.FormatSignatureTimestamp(startedAt);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body.Span));
        }

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var responseBody = await ReadPrefixAsync(response, linked.Token);
            return new AttemptResult(startedAt, _timeProvider.GetElapsedTime(started), (int)response.StatusCode, null, responseBody, RetryAfter(response, startedAt));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failure($"timeout: no response within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException exception)
        {
            return Failure(Describe(exception));
        }
        catch (IOException exception)
        {
            return Failure($"connection error: {exception.Message}");
        }

        AttemptResult Failure(string error) => new(startedAt, _timeProvider.GetElapsedTime(started), null, error, null, null);
    }

    private static async Task<string?> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Only the first 4 KiB is kept; the rest is never read, so a huge answer costs nothing.
        var buffer = new byte[MaxResponseBodyBytes];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static string Describe(HttpRequestException exception)
    {
        var kind = exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "DNS lookup failed",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            _ => "request failed",
        };
        var detail = exception.InnerException?.Message ?? exception.Message;
        return $"{kind}: {detail}";
    }

    public void Dispose() => _client.Dispose();
}
