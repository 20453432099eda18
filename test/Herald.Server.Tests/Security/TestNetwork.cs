using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Herald.Core.Dispatch;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Security;

/// <summary>
/// The operating system's network as the tests need it: names resolve to whatever address class a test names, and
/// every connect goes to a loopback listener whatever address was asked for, so no test can send a byte to a real
/// private, metadata or NAT64 address even if the guard were wrong. Records what was asked and what was read.
/// </summary>
internal sealed class LoopbackDialer : NetworkDialer
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where every connection really goes.</summary>
    public IPEndPoint? Target { get; set; }

    public ConcurrentQueue<IPAddress[]> Connects { get; } = new();

    public ConcurrentQueue<CountingStream> Streams { get; } = new();

    public void Map(string host, params IPAddress[] addresses) => _names[host] = addresses;

    public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        _names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : Task.FromResult(new[] { IPAddress.Loopback });

    public override async ValueTask<Stream> ConnectAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        Connects.Enqueue(addresses);
        var target = Target ?? new IPEndPoint(IPAddress.Loopback, port);
        var stream = new CountingStream(await base.ConnectAsync([target.Address], target.Port, cancellationToken));
        Streams.Enqueue(stream);
        return stream;
    }
}

/// <summary>Counts the bytes read through a connection.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    private long _read;

    public long BytesRead => Interlocked.Read(ref _read);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Count(await inner.ReadAsync(buffer, cancellationToken));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

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

    private int Count(int read)
    {
        Interlocked.Add(ref _read, read);
        return read;
    }
}

/// <summary>
/// A raw TCP endpoint on 127.0.0.1 that reads each HTTP request (headers and a Content-Length body) and answers with
/// whatever <see cref="Answer"/> does, for endpoints no well-behaved server would be: HTTP/1.0 close-after-answer,
/// endless bodies, silence.
/// </summary>
internal sealed class RawHttpEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Func<NetworkStream, string, CancellationToken, Task<bool>> _answer;
    private int _requests;

    /// <param name="answer">Writes the answer to one request (given its head); returns whether to keep the connection open for another.</param>
    public RawHttpEndpoint(Func<NetworkStream, string, CancellationToken, Task<bool>> answer)
    {
        _answer = answer;
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}/hook";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Signalled when a request has been read completely.</summary>
    public SemaphoreSlim RequestRead { get; } = new(0);

    /// <summary>Exceptions that ended an answer (e.g. the client closed while an endless body was written).</summary>
    public ConcurrentQueue<Exception> AnswerErrors { get; } = new();

    public SemaphoreSlim AnswerEnded { get; } = new(0);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (await ReadRequestAsync(stream) is { } head)
                {
                    Interlocked.Increment(ref _requests);
                    RequestRead.Release();
                    if (!await _answer(stream, head, _stop.Token))
                    {
                        break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                AnswerErrors.Enqueue(exception);
            }
            finally
            {
                AnswerEnded.Release();
            }
        }
    }

    private async Task<string?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            head.Append((char)one[0]);
        }

        var text = head.ToString();
        var lengthLine = text.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>Python's own http.server answering every POST with HTTP/1.0 200 and closing the connection, as many small receivers do.</summary>
internal sealed class PythonHttp10Receiver : IAsyncDisposable
{
    private const string Script = """
        import http.server, sys, threading
        count = 0
        lock = threading.Lock()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"
            def do_POST(self):
                global count
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    count += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.request_queue_size = 512
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """;

    private readonly Process _process;

    private PythonHttp10Receiver(Process process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}/hook";
    }

    public string Url { get; }

    public static async Task<PythonHttp10Receiver> StartAsync()
    {
        var info = new ProcessStartInfo("python3") { ArgumentList = { "-c", Script }, RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("python3 http.server did not start: " + await process.StandardError.ReadToEndAsync());
        return new PythonHttp10Receiver(process, int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>Collects every log line the server writes, at every level, for tests of what is (and is not) logged.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
