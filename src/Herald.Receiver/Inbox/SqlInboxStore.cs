using System.Data.Common;
using Dapper;

namespace Herald.Receiver.Inbox;

/// <summary>
/// The durable inbox in a SQL database (SQLite or PostgreSQL; the dialects differ only in DDL, claiming and
/// transactions). Times are Unix milliseconds from the configured <see cref="TimeProvider"/>.
/// </summary>
internal abstract class SqlInboxStore : IWebhookInbox, IAsyncDisposable
{
    private const int MaxErrorLength = 2000;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    protected SqlInboxStore(TimeProvider timeProvider) => TimeProvider = timeProvider;

    public TimeProvider TimeProvider { get; }

    protected abstract string SchemaSql { get; }

    /// <summary>Locks the claimed rows where the database can (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>); SQLite serializes writers instead.</summary>
    protected virtual string ClaimLockClause => string.Empty;

    private string ClaimSql =>
        $"""
        UPDATE herald_inbox SET locked_by = @Owner, locked_until = @Until, attempts = attempts + 1
        WHERE event_id IN (
            SELECT event_id FROM herald_inbox
            WHERE processed_at IS NULL AND parked_at IS NULL AND next_attempt_at <= @Now
              AND (locked_until IS NULL OR locked_until <= @Now)
            ORDER BY next_attempt_at, received_at
            LIMIT @Limit
            {ClaimLockClause})
        RETURNING event_id AS EventId, name AS Name, body AS Body, attempts AS Attempts, received_at AS ReceivedAt
        """;

    public long Now => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Opens a connection with the dialect's session settings.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins the transaction a handler runs in.</summary>
    public abstract Task<DbTransaction> BeginProcessingTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

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
                await CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initGate.Release();
        }
    }

    protected virtual async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(SchemaSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a received event; <see langword="false"/> when its id is already in the inbox.</summary>
    public async Task<bool> InsertAsync(string eventId, string name, byte[] body, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO herald_inbox (event_id, name, body, received_at, attempts, next_attempt_at)
                VALUES (@EventId, @Name, @Body, @Now, 0, @Now)
                ON CONFLICT (event_id) DO NOTHING
                """,
                new { EventId = eventId, Name = name, Body = body, Now = now },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return inserted == 1;
        }
    }

    /// <summary>Claims up to <paramref name="limit"/> due events for <paramref name="owner"/> until now + lease; counts a try for each.</summary>
    public async Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(int limit, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<ClaimedEvent>(new CommandDefinition(
                ClaimSql,
                new { Owner = owner, Now = now, Until = now + (long)lease.TotalMilliseconds, Limit = limit },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.AsList();
        }
    }

    /// <summary>Marks the event processed inside the handler's transaction; <see langword="false"/> when the lease was lost (then roll back).</summary>
    public async Task<bool> CompleteAsync(DbConnection connection, DbTransaction transaction, string eventId, string owner, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE herald_inbox SET processed_at = @Now, locked_by = NULL, locked_until = NULL, last_error = NULL
            WHERE event_id = @EventId AND locked_by = @Owner AND processed_at IS NULL
            """,
            new { EventId = eventId, Owner = owner, Now = Now },
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

    /// <summary>Records a failed try: due again after <paramref name="retryDelay"/>, or parked when <paramref name="park"/>.</summary>
    public async Task FailAsync(string eventId, string owner, string error, bool park, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        var now = Now;
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET locked_by = NULL, locked_until = NULL, last_error = @Error,
                    next_attempt_at = @NextAttemptAt, parked_at = CASE WHEN @Park = 1 THEN @Now ELSE NULL END
                WHERE event_id = @EventId AND locked_by = @Owner AND processed_at IS NULL
                """,
                new
                {
                    EventId = eventId,
                    Owner = owner,
                    Error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error,
                    NextAttemptAt = now + (long)retryDelay.TotalMilliseconds,
                    Park = park ? 1 : 0,
                    Now = now,
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Gives an event back without counting the try (graceful shutdown while its handler ran).</summary>
    public async Task ReleaseAsync(string eventId, string owner, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET locked_by = NULL, locked_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
                WHERE event_id = @EventId AND locked_by = @Owner AND processed_at IS NULL
                """,
                new { EventId = eventId, Owner = owner },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private const string SelectEntry =
        """
        SELECT event_id AS EventId, name AS Name, attempts AS Attempts, received_at AS ReceivedAt, next_attempt_at AS NextAttemptAt,
               processed_at AS ProcessedAt, parked_at AS ParkedAt, last_error AS LastError
        FROM herald_inbox
        """;

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
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE herald_inbox SET parked_at = NULL, attempts = 0, next_attempt_at = @Now, locked_by = NULL, locked_until = NULL
                WHERE event_id = @EventId AND processed_at IS NULL
                """,
                new { EventId = eventId, Now = Now },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
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
}
