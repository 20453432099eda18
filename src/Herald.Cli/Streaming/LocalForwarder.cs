using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Cli.Api;

namespace Herald.Cli.Streaming;

/// <summary>What the local app answered to one forwarded event.</summary>
internal sealed record ForwardResult(int? StatusCode, TimeSpan Duration, string? Error, string? ResponsePrefix)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// POSTs envelopes to the developer's local app exactly as Herald would: the bytes unchanged,
/// <c>Content-Type: application/json</c>, <c>x-timestamp</c> (Unix ms, taken now) and <c>x-signature</c> (HMAC-SHA256
/// of timestamp then body with the local secret), <c>User-Agent: herald-cli/&lt;version&gt;</c>. A failed forward
/// is reported, not retried: the developer sees it and can trigger again.
/// </summary>
internal sealed class LocalForwarder : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private const int ResponsePrefixBytes = 512;

    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly string _secret;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public LocalForwarder(Uri target, string secret, TimeProvider time, TimeSpan? timeout = null)
    {
        _target = target;
        _secret = secret;
        _time = time;
        _timeout = timeout ?? DefaultTimeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>A fresh local secret: <c>whsec_</c> and 32 random bytes in base64url, the same shape Herald generates.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<ForwardResult> ForwardAsync(byte[] envelope, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var timestamp = WebhookTimestamps.FormatSignatureTimestamp(_time.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(envelope) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(HeraldApiClient.UserAgent);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_secret, timestamp, envelope));

        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var buffer = new byte[ResponsePrefixBytes];
            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, linked.Token);
            return new ForwardResult((int)response.StatusCode, _time.GetElapsedTime(started), null, read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ForwardResult(null, _time.GetElapsedTime(started), $"no answer within {_timeout.TotalSeconds:0} s", null);
        }
        catch (HttpRequestException exception)
        {
            return new ForwardResult(null, _time.GetElapsedTime(started), exception.InnerException?.Message ?? exception.Message, null);
        }
        catch (IOException exception)
        {
            return new ForwardResult(null, _time.GetElapsedTime(started), exception.Message, null);
        }
    }

    public void Dispose() => _http.Dispose();
}
