using System.Data.Common;
using System.Threading.Channels;
using Herald.Receiver.Logging;
using Microsoft.Extensions.Logging;

namespace Herald.Receiver.Inbox;

/// <summary>One acknowledged event waiting for its group's commit.</summary>
internal sealed class PendingInsert(string eventId, string name, byte[] body)
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string EventId { get; } = eventId;

    public string Name { get; } = name;

    public byte[] Body { get; } = body;

    /// <summary>Completes with whether the row was new, once the transaction holding it committed.</summary>
    public Task<bool> Completion => _completion.Task;

    public void Complete(bool inserted) => _completion.TrySetResult(inserted);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>
/// Group commit for the inbox: one loop writes whatever requests are waiting in one transaction, so concurrent
/// webhooks share one commit (one fsync) instead of paying one each. No request waits for company: a lone
/// request is written at once, and requests that arrive while a commit is in progress form the next group. Every
/// request is answered only after the commit of the transaction holding its own row, so an acknowledgement is as
/// durable as before. Duplicate ids stay exact: each row is its own <c>INSERT … ON CONFLICT DO NOTHING</c>, so a
/// repeated id in the same group reports a duplicate and does not fail the group.
/// </summary>
internal sealed class InboxWriter : IAsyncDisposable
{
    // Bounds a group's transaction: enough to amortize a commit over many requests, small enough to keep the
    // write lock short for the background processor.
    private const int MaxGroupRows = 512;
    private const long MaxGroupBytes = 16L * 1024 * 1024;

    private readonly SqlInboxStore _store;
    private readonly ILogger _logger;
    private readonly Channel<PendingInsert> _queue;
    private readonly Lazy<Task> _loop;
    private long _groupsCommitted;
    private long _rowsCommitted;

    public InboxWriter(SqlInboxStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
        var writers = Math.Max(1, store.ConcurrentWriters);
        _queue = Channel.CreateUnbounded<PendingInsert>(new UnboundedChannelOptions { SingleReader = writers == 1 });

        // One loop per concurrent group: SQLite has one; PostgreSQL several, whose commits its WAL flush shares.
        _loop = new Lazy<Task>(() => Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(RunAsync))), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>How many transactions committed acknowledgements (for tests and measurements).</summary>
    public long GroupsCommitted => Interlocked.Read(ref _groupsCommitted);

    /// <summary>How many acknowledgements those transactions held.</summary>
    public long RowsCommitted => Interlocked.Read(ref _rowsCommitted);

    /// <summary>Queues a row; the task completes with whether it was new, after its transaction committed.</summary>
    public Task<bool> InsertAsync(string eventId, string name, byte[] body)
    {
        var pending = new PendingInsert(eventId, name, body);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(InboxWriter), "The inbox is shutting down.");
        }

        _ = _loop.Value;
        return pending.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop.IsValueCreated)
        {
            await _loop.Value.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var group = new List<PendingInsert>(MaxGroupRows);
        var inserted = new bool[MaxGroupRows];
        DbConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                group.Clear();
                long bytes = 0;
                while (group.Count < MaxGroupRows && bytes < MaxGroupBytes && _queue.Reader.TryRead(out var pending))
                {
                    group.Add(pending);
                    bytes += pending.Body.Length;
                }

                connection = await WriteAsync(connection, group, inserted).ConfigureAwait(false);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes one group and answers its requests; returns the connection to reuse, or null when it broke.</summary>
    private async Task<DbConnection?> WriteAsync(DbConnection? connection, List<PendingInsert> group, bool[] inserted)
    {
        connection = await OpenOrFailAsync(connection, group, 0).ConfigureAwait(false);
        if (connection is null)
        {
            return null;
        }

        try
        {
            await WriteGroupAsync(connection, group, inserted).ConfigureAwait(false);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Complete(inserted[i]);
            }

            return connection;
        }
#pragma warning disable CA1031 // Whatever fails the write is answered as 503 (the sender retries); the loop goes on.
        catch (Exception exception)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (group.Count == 1)
            {
                group[0].Fail(exception);
                return null;
            }

            // Row by row, each in its own transaction, so one bad row cannot fail the others.
            Log.GroupWriteFailed(_logger, exception, group.Count);
            connection = null;
            for (var i = 0; i < group.Count; i++)
            {
                connection = await OpenOrFailAsync(connection, group, i).ConfigureAwait(false);
                if (connection is null)
                {
                    return null;
                }

                try
                {
                    await WriteGroupAsync(connection, group.GetRange(i, 1), inserted).ConfigureAwait(false);
                    group[i].Complete(inserted[0]);
                }
                catch (Exception rowException)
                {
                    group[i].Fail(rowException);
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
            }

            return connection;
        }
    }

    /// <summary>Opens a connection when there is none; when the database cannot be opened, fails the rows from <paramref name="first"/> on.</summary>
    private async Task<DbConnection?> OpenOrFailAsync(DbConnection? connection, List<PendingInsert> group, int first)
    {
        if (connection is not null)
        {
            return connection;
        }

        try
        {
            return await _store.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            for (var i = first; i < group.Count; i++)
            {
                group[i].Fail(exception);
            }

            return null;
        }
#pragma warning restore CA1031
    }

    private async Task WriteGroupAsync(DbConnection connection, List<PendingInsert> group, bool[] inserted)
    {
        await _store.CommitGroupAsync(connection, group, inserted, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _groupsCommitted);
        Interlocked.Add(ref _rowsCommitted, group.Count);
    }
}
