using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Herald.Bench.Receiver;

/// <summary>
/// When each (endpoint, event) first arrived, on <see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC on Linux,
/// the same clock in every process, so the harness can subtract its own accept times from these.
/// </summary>
internal sealed class ArrivalLog
{
    private ConcurrentDictionary<(int Endpoint, string EventId), long> _arrivals = new();
    private long _duplicates;
    private long _rejected;
    private long _failed;
    private long _hung;

    public void Arrived(int endpoint, string eventId)
    {
        if (!_arrivals.TryAdd((endpoint, eventId), Stopwatch.GetTimestamp()))
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Failed() => Interlocked.Increment(ref _failed);

    public void Hung() => Interlocked.Increment(ref _hung);

    /// <summary>Forgets everything: the harness resets between phases so each phase counts only its own arrivals.</summary>
    public void Reset()
    {
        _arrivals = new();
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _rejected, 0);
        Interlocked.Exchange(ref _failed, 0);
        Interlocked.Exchange(ref _hung, 0);
    }

    public string StatsJson() => string.Create(CultureInfo.InvariantCulture,
        $$"""{"arrivals":{{_arrivals.Count}},"duplicates":{{Interlocked.Read(ref _duplicates)}},"rejected":{{Interlocked.Read(ref _rejected)}},"failed":{{Interlocked.Read(ref _failed)}},"hung":{{Interlocked.Read(ref _hung)}},"frequency":{{Stopwatch.Frequency}}}""");

    /// <summary>Writes <c>endpoint TAB event id TAB timestamp</c> lines.</summary>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        var builder = new StringBuilder(64 * 1024);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024);
        foreach (var ((endpoint, eventId), timestamp) in _arrivals)
        {
            builder.Append(endpoint).Append('\t').Append(eventId).Append('\t').Append(timestamp).Append('\n');
            if (builder.Length > 60 * 1024)
            {
                await writer.WriteAsync(builder, cancellationToken);
                builder.Clear();
            }
        }

        await writer.WriteAsync(builder, cancellationToken);
    }
}
