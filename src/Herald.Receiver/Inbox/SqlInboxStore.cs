using System.Data.Common;
using Dapper;
using Herald.Internal;
using Herald.Receiver.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Receiver.Inbox;

/// <summary>
/// The durable inbox in a SQL database. The dialect packages (Herald.Receiver.Sqlite, Herald.Receiver.PostgreSql)
/// derive from it and supply connections, transactions and their numbered schema scripts; everything else is
/// shared. Times are Unix milliseconds from the configured <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// <para>
/// Claims are fenced by a <b>lease token</b>, new for every claim: completing, failing, releasing and renewing an
/// event all require the token of the claim that is running it, so a worker whose claim was taken over (or
/// requeued) can no longer change the event. Completion also requires the lease to be unexpired by the committing
/// worker's clock: a worker that outlived its lease cannot commit, even when nobody has taken the event yet.
/// </para>
/// <para>
/// Acknowledged events are written by one <see cref="InboxWriter"/> per store: concurrent requests share one
/// transaction (one fsync), and each is answered only after the transaction holding its own row committed.
/// </para>
/// </remarks>
internal abstract class SqlInboxStore : IWebhookInbox, IAsyncDisposable
{
    /// <summary>The table that records applied inbox schema versions (the server's is <c>schema_migrations</c>).</summary>
    public const string VersionTable = "herald_inbox_schema_migrations";

    /// <summary>PostgreSQL advisory lock key serializing inbox migrations ("HRCVIN"); the server uses its own.</summary>
    public const long MigrationLockKey = 0x48_52_43_56_49_4E;

    private const int MaxErrorLength = 2000;

    private const string InsertSql =
        """
        INSERT INTO herald_inbox (event_id, name, body, received_at, attempts, next_attempt_at)
        VALUES (@EventId, @Name, @Body, @Now, 0, @Now)
        ON CONFLICT (event_id) DO NOTHING
        """;

    private const string SelectEntry =
        """
        SELECT event_id AS EventId, name AS Name, attempts AS Attempts, received_at AS ReceivedAt, next_attempt_at AS NextAttemptAt,
               processed_at AS ProcessedAt, parked_at AS ParkedAt, last_error AS LastError
        FROM herald_inbox
        """;

    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly WriteTurns _writeTurns = new();
    private readonly InboxWriter _writer;
    private volatile bool _initialized;

    protected SqlInboxStore(TimeProvider timeProvider, ILogger? logger)
    {
        TimeProvider = timeProvider;
        Logger = logger ?? NullLogger.Instance;
        NewEvents = new WakeSignal(timeProvider);
        _writer = new InboxWriter(this, Logger);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The group-commit writer of acknowledged events.</summary>
    internal InboxWriter Writer => _writer;

    /// <summary>Notified when the endpoint committed new events, so the processor need not wait for its next poll.</summary>
    public WakeSignal NewEvents { get; }

    public long Now => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    protected ILogger Logger { get; }

    /// <summary>The database, for the schema migrator.</summary>
    protected abstract SchemaDialect Dialect { get; }

    /// <summary>The numbered schema scripts of the dialect (0001 = the schema of the first release).</summary>
    protected abstract IReadOnlyList<SchemaMigration> Migrations { get; }

    /// <summary>
    /// Whether this process's own short write transactions take turns in memory before they take the database's
    /// write lock. SQLite has one write lock per file, and a connection that finds it taken sleeps 1, 2, 5, 10…
    /// ms before trying again, so two writers of one process colliding cost milliseconds each time; taking turns
    /// here costs microseconds. The turn is never needed for correctness: it only orders who asks SQLite first.
    /// </summary>
    protected virtual bool TakesWriteTurns => false;

    /// <summary>Locks the claimed rows where the database can (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>); SQLite serializes writers instead.</summary>
    protected virtual string ClaimLockClause => string.Empty;

    private string ClaimSql =>
        $"""
        UPDATE herald_inbox SET locked_by = @Owner, lease_token = @Token, locked_until = @Until, attempts = attempts + 1
        WHERE event_id IN (
            SELECT event_id FROM herald_inbox
            WHERE processed_at IS NULL AND parked_at IS NULL AND next_attempt_at <= @Now
              AND (locked_until IS NULL OR locked_until <= @Now)
            ORDER BY next_attempt_at, received_at
            LIMIT @Limit
            {ClaimLockClause})
        RETURNING event_id AS EventId, name AS Name, body AS Body, attempts AS Attempts, received_at AS ReceivedAt
        """;

    /// <summary>Opens a connection with the dialect's session settings.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a connection for the processor's own writes (claims, renewals, outcomes, handler transactions). These
    /// promise nothing to a sender: losing the last of them to a power cut only runs those events again, with their
    /// in-database side effects rolled back together with their completion. SQLite may flush them lazily.
    /// </summary>
    public virtual Task<DbConnection> OpenForProcessingAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>Begins the transaction a handler runs in.</summary>
    public abstract Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>How many groups of acknowledgements may be committing at once: one for a single-writer database.</summary>
    public virtual int ConcurrentWriters => 1;

    public virtual async ValueTask DisposeAsync()
    {
        // The gates are not disposed: a handler that ignored shutdown may still finish (and fail to commit) later.
        await _writer.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Settings that must be made outside a transaction before the migrations run (SQLite's WAL mode).</summary>
    protected virtual Task PrepareDatabaseAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Waits for this process's turn to write (see <see cref="TakesWriteTurns"/>); dispose the result to pass it on.
    /// Acknowledgements (<paramref name="acknowledgement"/>) are served before the processor's writes. With
    /// <paramref name="patience"/>, gives up waiting after that long and returns no turn: for a transaction that may
    /// already hold the database's write lock (a handler wrote), so it must not wait behind a writer waiting for it.
    /// </summary>
    internal async ValueTask<WriteTurn> TakeWriteTurnAsync(TimeSpan? patience, CancellationToken cancellationToken, bool acknowledgement = false) =>
        TakesWriteTurns && await _writeTurns.TakeAsync(acknowledgement, patience, cancellationToken).ConfigureAwait(false)
            ? new WriteTurn(_writeTurns)
            : default;

    /// <summary>Brings the inbox schema up to date once per store (the first use waits for it).</summary>
    public async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await PrepareDatabaseAsync(connection, cancellationToken).ConfigureAwait(false);
                    var migrator = new SchemaMigrator(Dialect, VersionTable, MigrationLockKey, TimeProvider);
                    var result = await migrator.MigrateAsync(connection, Migrations, cancellationToken).ConfigureAwait(false);
                    if (result.Applied.Count > 0)
                    {
                        Log.SchemaMigrated(Logger, string.Join(", ", result.Applied), result.CurrentVersion);
                    }

                    if (result.UnknownVersions.Count > 0)
                    {
                        Log.SchemaNewerThanLibrary(Logger, string.Join(", ", result.UnknownVersions));
                    }
                }

                _initialized = true;
            }
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>
    /// Writes a received event, sharing the transaction with concurrent calls; completes only after the transaction
    /// holding this event's row committed. <see langword="false"/> when its id is already in the inbox (also when
    /// the same id came twice in one group).
    /// </summary>
    public async Task<bool> InsertAsync(string eventId, string name, byte[] body, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Not cancelled with the request: once queued, the row is written either way; the caller only stops waiting.
        return await _writer.InsertAsync(eventId, name, body).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes and commits one group of acknowledged events, each row its own <c>INSERT … ON CONFLICT DO NOTHING</c>;
    /// sets for each whether it was new. Returns only after the commit. This default (SQLite) takes this process's
    /// write turn, then one immediate transaction with one prepared statement run per row (in-process, so a
    /// statement costs no round trip).
    /// </summary>
    public virtual async Task CommitGroupAsync(DbConnection connection, IReadOnlyList<PendingInsert> group, bool[] inserted, CancellationToken cancellationToken)
    {
        using var turn = await TakeWriteTurnAsync(null, cancellationToken, acknowledgement: true).ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = InsertSql;
            var eventId = AddParameter(insert.Parameters, insert.CreateParameter(), "EventId", System.Data.DbType.String);
            var name = AddParameter(insert.Parameters, insert.CreateParameter(), "Name", System.Data.DbType.String);
            var body = AddParameter(insert.Parameters, insert.CreateParameter(), "Body", System.Data.DbType.Binary);
            AddParameter(insert.Parameters, insert.CreateParameter(), "Now", System.Data.DbType.Int64).Value = Now;
            for (var i = 0; i < group.Count; i++)
            {
                eventId.Value = group[i].EventId;
                name.Value = group[i].Name;
                body.Value = group[i].Body;
                inserted[i] = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a group as one batch in one round trip, without an explicit transaction: the database runs the
    /// batch's statements in one implicit transaction and answers after committing it. Rows go in id order, so
    /// concurrent groups that share ids lock them in the same order and cannot deadlock.
    /// </summary>
    protected async Task CommitGroupAsBatchAsync(DbConnection connection, IReadOnlyList<PendingInsert> group, bool[] inserted, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, group.Count).OrderBy(i => group[i].EventId, StringComparer.Ordinal).ToArray();
        var now = Now;
        await using var batch = connection.CreateBatch();
        foreach (var i in order)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = InsertSql;
            AddParameter(command.Parameters, command.CreateParameter(), "EventId", System.Data.DbType.String).Value = group[i].EventId;
            AddParameter(command.Parameters, command.CreateParameter(), "Name", System.Data.DbType.String).Value = group[i].Name;
            AddParameter(command.Parameters, command.CreateParameter(), "Body", System.Data.DbType.Binary).Value = group[i].Body;
            AddParameter(command.Parameters, command.CreateParameter(), "Now", System.Data.DbType.Int64).Value = now;
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < order.Length; k++)
        {
            inserted[order[k]] = batch.BatchCommands[k].RecordsAffected == 1;
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due events until now + <paramref name="lease"/> under one new lease
    /// token; counts a try for each. <paramref name="owner"/> is recorded for diagnostics only.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(int limit, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        var until = now + (long)lease.TotalMilliseconds;
        var token = Guid.NewGuid().ToString("N");
        var connection = await OpenForProcessingAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await TakeWriteTurnAsync(null, cancellationToken).ConfigureAwait(false);
            var rows = (await connection.QueryAsync<ClaimedEvent>(new CommandDefinition(
                ClaimSql,
                new { Owner = owner, Token = token, Now = now, Until = until, Limit = limit },
                cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
            foreach (var row in rows)
            {
                row.LeaseToken = token;
                row.LeasedUntil = until;
                row.ClaimedAt = now;
            }

            return rows;
        }
    }

    /// <summary>
    /// Extends a running claim to now + <paramref name="lease"/>; <see langword="false"/> when the claim is no longer
    /// this worker's (taken over, requeued, finished) or already expired: the worker must stop.
    /// </summary>
    public async Task<bool> RenewAsync(string eventId, string leaseToken, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = Now;
        var connection = await OpenForProcessingAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await TakeWriteTurnAsync(null, cancellationToken).ConfigureAwait(false);
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET locked_until = @Until
                WHERE event_id = @EventId AND lease_token = @Token AND locked_until > @Now AND processed_at IS NULL AND parked_at IS NULL
                """,
                new { EventId = eventId, Token = leaseToken, Now = now, Until = now + (long)lease.TotalMilliseconds },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return updated == 1;
        }
    }

    /// <summary>
    /// Marks the event processed inside the handler's transaction; <see langword="false"/> when the claim is no longer
    /// this worker's or its lease expired (then roll back).
    /// </summary>
    public async Task<bool> CompleteAsync(DbConnection connection, DbTransaction transaction, string eventId, string leaseToken, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE herald_inbox SET processed_at = @Now, locked_by = NULL, locked_until = NULL, lease_token = NULL, last_error = NULL
            WHERE event_id = @EventId AND lease_token = @Token AND locked_until > @Now AND processed_at IS NULL
            """,
            new { EventId = eventId, Token = leaseToken, Now = Now },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>Records that an event about <paramref name="objectId"/> created at <paramref name="createdAt"/> was applied (only ever moves forward).</summary>
    public static Task RecordAppliedAsync(DbConnection connection, DbTransaction transaction, string objectId, long createdAt, string eventId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO herald_object_versions (object_id, last_created_at, event_id) VALUES (@ObjectId, @CreatedAt, @EventId)
            ON CONFLICT (object_id) DO UPDATE SET last_created_at = excluded.last_created_at, event_id = excluded.event_id
            WHERE excluded.last_created_at > herald_object_versions.last_created_at
            """,
            new { ObjectId = objectId, CreatedAt = createdAt, EventId = eventId },
            transaction,
            cancellationToken: cancellationToken));

    public static async Task<long?> GetLastAppliedAsync(DbConnection connection, DbTransaction? transaction, string objectId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT last_created_at FROM herald_object_versions WHERE object_id = @ObjectId",
            new { ObjectId = objectId },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);

    /// <summary>Records a failed try of this claim: due again after <paramref name="retryDelay"/>, or parked when <paramref name="park"/>.</summary>
    public async Task<bool> FailAsync(string eventId, string leaseToken, string error, bool park, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        var now = Now;
        var connection = await OpenForProcessingAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await TakeWriteTurnAsync(null, cancellationToken).ConfigureAwait(false);
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET locked_by = NULL, locked_until = NULL, lease_token = NULL, last_error = @Error,
                    next_attempt_at = @NextAttemptAt, parked_at = CASE WHEN @Park = 1 THEN @Now ELSE NULL END
                WHERE event_id = @EventId AND lease_token = @Token AND processed_at IS NULL
                """,
                new
                {
                    EventId = eventId,
                    Token = leaseToken,
                    Error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error,
                    NextAttemptAt = now + (long)retryDelay.TotalMilliseconds,
                    Park = park ? 1 : 0,
                    Now = now,
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return updated == 1;
        }
    }

    /// <summary>Gives an event back without counting the try (graceful shutdown while its handler ran); <see langword="false"/> when the claim was no longer this worker's.</summary>
    public async Task<bool> ReleaseAsync(string eventId, string leaseToken, CancellationToken cancellationToken)
    {
        var connection = await OpenForProcessingAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await TakeWriteTurnAsync(null, cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET locked_by = NULL, locked_until = NULL, lease_token = NULL,
                    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
                WHERE event_id = @EventId AND lease_token = @Token AND processed_at IS NULL
                """,
                new { EventId = eventId, Token = leaseToken },
                cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
        }
    }

    public async Task<InboxEntry?> FindAsync(string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var row = await connection.QuerySingleOrDefaultAsync<InboxRow>(new CommandDefinition(
                SelectEntry + " WHERE event_id = @EventId", new { EventId = eventId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row?.ToEntry();
        }
    }

    public async Task<IReadOnlyList<InboxEntry>> GetParkedAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<InboxRow>(new CommandDefinition(
                SelectEntry + " WHERE parked_at IS NOT NULL AND processed_at IS NULL ORDER BY parked_at, event_id LIMIT @Limit",
                new { Limit = Math.Clamp(limit, 1, 10_000) },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToEntry())];
        }
    }

    public async Task<bool> RequeueAsync(string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var turn = await TakeWriteTurnAsync(null, cancellationToken).ConfigureAwait(false);
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET parked_at = NULL, attempts = 0, next_attempt_at = @Now, locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE event_id = @EventId AND processed_at IS NULL
                """,
                new { EventId = eventId, Now = Now },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (updated == 1)
            {
                NewEvents.Notify();
            }

            return updated == 1;
        }
    }

    public async Task<InboxCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var counts = await connection.QuerySingleAsync<(long Pending, long Processed, long Parked)>(new CommandDefinition(
                """
                SELECT COALESCE(SUM(CASE WHEN processed_at IS NULL AND parked_at IS NULL THEN 1 ELSE 0 END), 0) AS Pending,
                       COALESCE(SUM(CASE WHEN processed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS Processed,
                       COALESCE(SUM(CASE WHEN processed_at IS NULL AND parked_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS Parked
                FROM herald_inbox
                """,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return new InboxCounts(counts.Pending, counts.Processed, counts.Parked);
        }
    }

    public async Task<DateTimeOffset?> GetLastAppliedAtAsync(string objectId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var value = await GetLastAppliedAsync(connection, null, objectId, cancellationToken).ConfigureAwait(false);
            return value is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    private static DbParameter AddParameter(DbParameterCollection parameters, DbParameter parameter, string name, System.Data.DbType type)
    {
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameters.Add(parameter);
        return parameter;
    }
}

/// <summary>A turn to write, from <see cref="SqlInboxStore.TakeWriteTurnAsync"/>; disposing it passes the turn on (no-op when none was taken).</summary>
internal readonly struct WriteTurn(WriteTurns? turns) : IDisposable
{
    public void Dispose() => turns?.Release();
}
