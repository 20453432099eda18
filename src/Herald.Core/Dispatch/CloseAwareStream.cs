using System.Net;

namespace Herald.Core.Dispatch;

/// <summary>
/// The plaintext HTTP/1.x stream of one pooled connection, watching the status line of each answer. SocketsHttpHandler
/// keeps a connection after an <c>HTTP/1.0</c> answer unless it says <c>Connection: close</c>, but such servers (Python's
/// <c>http.server</c>, for one) close it right after answering: the next request on it would race the close and fail
/// with "connection closed before a response", and a POST whose body went out is never retried by the handler. So once
/// an HTTP/1.0 answer is seen, the next write on this connection throws <see cref="StaleConnectionException"/> before a
/// byte is sent; the handler drops the connection and the sender sends the request again on another.
/// </summary>
internal sealed class CloseAwareStream(Stream inner) : Stream
{
    private static readonly byte[] Http10 = "HTTP/1.0"u8.ToArray();

    private readonly byte[] _statusPrefix = new byte[8];
    private int _statusPrefixLength = -1; // -1: no request written yet, or the status line of this answer was seen
    private bool _closesAfterAnswer;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Observe(inner.Read(buffer, offset, count), buffer.AsSpan(offset));

    public override int Read(Span<byte> buffer) => Observe(inner.Read(buffer), buffer);

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Observe(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken), buffer.AsSpan(offset));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Observe(await inner.ReadAsync(buffer, cancellationToken), buffer.Span);

    public override void Write(byte[] buffer, int offset, int count)
    {
        BeforeWrite();
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BeforeWrite();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        BeforeWrite();
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BeforeWrite();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private void BeforeWrite()
    {
        if (_closesAfterAnswer)
        {
            throw new StaleConnectionException();
        }

        // A write starts (or continues) a request: the next bytes read begin its answer's status line.
        _statusPrefixLength = 0;
    }

    private int Observe(int read, ReadOnlySpan<byte> buffer)
    {
        if (read > 0 && _statusPrefixLength >= 0)
        {
            var take = Math.Min(read, _statusPrefix.Length - _statusPrefixLength);
            buffer[..take].CopyTo(_statusPrefix.AsSpan(_statusPrefixLength));
            _statusPrefixLength += take;
            if (_statusPrefixLength == _statusPrefix.Length)
            {
                _closesAfterAnswer |= _statusPrefix.AsSpan().SequenceEqual(Http10);
                _statusPrefixLength = -1;
            }
        }

        return read;
    }
}

/// <summary>A request was about to go out on a connection its server closes after each answer; nothing was sent.</summary>
internal sealed class StaleConnectionException() : IOException("the server closes this connection after each answer (HTTP/1.0); nothing was sent on it");

/// <summary>The operator's outbound proxy (<see cref="Deliveries.DeliveryOptions.Proxy"/>), with credentials when its URL carries them.</summary>
internal static class OutboundProxy
{
    public static IWebProxy Create(Uri url)
    {
        var address = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
        var proxy = new WebProxy(address) { BypassProxyOnLocal = false };
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            var parts = url.UserInfo.Split(':', 2);
            proxy.Credentials = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }

        return proxy;
    }
}
