namespace Herald.Cli.Streaming;

/// <summary>
/// A read-only view of a response stream that fails a read with <see cref="IOException"/> when nothing (not even
/// a keep-alive comment) arrives for <see cref="IdleTimeout"/>: a half-open TCP connection otherwise hangs forever.
/// The clock runs only while a read is pending, so time spent handling an event never counts.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan idleTimeout, TimeProvider timeProvider) : Stream
{
    public TimeSpan IdleTimeout => idleTimeout;

    /// <summary>Whether any byte arrived on this connection (a live connection resets the reconnection backoff).</summary>
    public bool ReceivedAny { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = new CancellationTokenSource(idleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            var read = await inner.ReadAsync(buffer, linked.Token);
            ReceivedAny |= read > 0;
            return read;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"nothing arrived for {idleTimeout.TotalSeconds:0} s (not even a keep-alive)");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
}
