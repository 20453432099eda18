using System.Data.Common;
using System.Text;
using Dapper;

namespace Herald.Server.Storage;

/// <summary>
/// The SQL that SQLite and PostgreSQL share (standard SQL, <c>ON CONFLICT DO NOTHING</c>, <c>RETURNING</c>,
/// Dapper parameters). Dialects supply connections, the schema and the row-locking clause of the claim.
/// </summary>
internal abstract partial class SqlHeraldStore : IHeraldStore
{
    private const string WebhookColumns =
        "id, account_id, app_id, url, event_list, all_events, secret, next_secret, next_secret_at, status, disabled_reason, description, created_at, updated_at";

    private const string EventInsertColumns = "id, name, account_id, app_id, created_at, version, content_hash, body, ingested_at";

    private const string EventColumns = "seq, " + EventInsertColumns;

    private const string DeliveryColumns =
        "id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, last_status_code, last_error, created_at, updated_at";

    static SqlHeraldStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Opens a connection with the dialect's per-connection settings applied.</summary>
    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Indexes both dialects create alike, appended to each schema script.</summary>
    protected const string IndexesSql =
        """
        CREATE INDEX IF NOT EXISTS accounts_org ON accounts (org_id);
        CREATE INDEX IF NOT EXISTS connections_app ON connections (app_id);
        CREATE INDEX IF NOT EXISTS webhooks_account ON webhooks (account_id);
        CREATE INDEX IF NOT EXISTS webhooks_app ON webhooks (app_id);
        CREATE INDEX IF NOT EXISTS events_account ON events (account_id, seq);
        CREATE INDEX IF NOT EXISTS events_app ON events (app_id, seq);
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'queued';
        CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id);
        CREATE INDEX IF NOT EXISTS deliveries_webhook ON deliveries (webhook_id, status);
        CREATE INDEX IF NOT EXISTS deliveries_account ON deliveries (account_id, created_at);
        CREATE INDEX IF NOT EXISTS deliveries_app ON deliveries (app_id, created_at);
        CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts (delivery_id);
        """;

    /// <summary>The schema script; idempotent.</summary>
    protected abstract string SchemaSql { get; }

    /// <summary>
    /// <c>column IN (list)</c> for a list parameter. Dapper expands lists into separate parameters for SQLite but
    /// passes one array parameter to PostgreSQL, which needs <c>= ANY(array)</c> instead.
    /// </summary>
    protected virtual string In(string column, string parameter) => $"{column} IN @{parameter}";

    /// <summary>The negation of <see cref="In"/>.</summary>
    protected virtual string NotIn(string column, string parameter) => $"{column} NOT IN @{parameter}";

    /// <summary>A read-only transaction in which every query sees the same committed state.</summary>
    protected abstract ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Appended to the claim's row selection, e.g. <c>FOR UPDATE SKIP LOCKED</c>.</summary>
    protected virtual string ClaimLockClause => string.Empty;

    public virtual async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SchemaSql, cancellationToken: cancellationToken));
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken)) == 1;
    }

    public async Task CreateOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO organizations (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)", organization, cancellationToken: cancellationToken));
    }

    public async Task<OrganizationRecord?> GetOrganizationAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<OrganizationRecord>(new CommandDefinition(
            "SELECT id, name, created_at FROM organizations WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task CreateAccountAsync(AccountRecord account, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO accounts (id, name, org_id, created_at) VALUES (@Id, @Name, @OrgId, @CreatedAt)", account, cancellationToken: cancellationToken));
    }

    public async Task<AccountRecord?> GetAccountAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("id", id);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<AccountRecord>(new CommandDefinition(
            $"SELECT id, name, org_id, created_at FROM accounts WHERE id = @id AND {AccountScope(scope)}", parameters, cancellationToken: cancellationToken));
    }

    public async Task<PagedList<AccountRecord>> ListAccountsAsync(OwnerScope scope, Page page, CancellationToken cancellationToken)
    {
        var parameters = PageParameters(scope, page);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AccountRecord>(new CommandDefinition(
            $"SELECT id, name, org_id, created_at FROM accounts WHERE {AccountScope(scope)} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip",
            parameters, cancellationToken: cancellationToken));
        return ToPage(rows, page);
    }

    public async Task CreateApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (id, key_hash, account_id, org_id, created_at) VALUES (@Id, @KeyHash, @AccountId, @OrgId, @CreatedAt)",
            key, cancellationToken: cancellationToken));
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            "SELECT id, key_hash, account_id, org_id, created_at FROM api_keys WHERE key_hash = @keyHash", new { keyHash }, cancellationToken: cancellationToken));
    }

    public async Task CreateWebhookAsync(WebhookRecord webhook, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO webhooks ({WebhookColumns}) VALUES (@Id, @AccountId, @AppId, @Url, @EventList, @AllEvents, @Secret, @NextSecret, @NextSecretAt, @Status, @DisabledReason, @Description, @CreatedAt, @UpdatedAt)",
            webhook, cancellationToken: cancellationToken));
    }

    public async Task<WebhookRecord?> GetWebhookAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("id", id);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookRecord>(new CommandDefinition(
            $"SELECT {WebhookColumns} FROM webhooks WHERE id = @id AND deleted_at IS NULL AND {OwnerScopeSql(scope)}", parameters, cancellationToken: cancellationToken));
    }

    public async Task<PagedList<WebhookRecord>> ListWebhooksAsync(OwnerScope scope, Page page, CancellationToken cancellationToken)
    {
        var parameters = PageParameters(scope, page);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRecord>(new CommandDefinition(
            $"SELECT {WebhookColumns} FROM webhooks WHERE deleted_at IS NULL AND {OwnerScopeSql(scope)} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip",
            parameters, cancellationToken: cancellationToken));
        return ToPage(rows, page);
    }

    public async Task UpdateWebhookAsync(WebhookRecord webhook, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhooks SET url = @Url, event_list = @EventList, all_events = @AllEvents, secret = @Secret, next_secret = @NextSecret,
              next_secret_at = @NextSecretAt, status = @Status, disabled_reason = @DisabledReason, description = @Description, updated_at = @UpdatedAt
            WHERE id = @Id AND deleted_at IS NULL
            """,
            webhook, transaction, cancellationToken: cancellationToken));
        if (!webhook.IsEnabled)
        {
            await CancelQueuedAsync(connection, transaction, webhook.Id, webhook.UpdatedAt, exceptDeliveryId: null, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteWebhookAsync(string id, OwnerScope scope, long now, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("id", id);
        parameters.Add("now", now);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE webhooks SET deleted_at = @now, updated_at = @now, status = '{WebhookStatus.Disabled}', disabled_reason = 'deleted' WHERE id = @id AND deleted_at IS NULL AND {OwnerScopeSql(scope)}",
            parameters, transaction, cancellationToken: cancellationToken));
        if (deleted == 1)
        {
            await CancelQueuedAsync(connection, transaction, id, now, exceptDeliveryId: null, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    public async Task<StoreEventsOutcome> StoreEventsAsync(IReadOnlyList<EventRecord> events, long now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await InsertEventsAsync(connection, transaction, events, now, cancellationToken);
        if (outcome.ConflictIndex is not null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return outcome;
        }

        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>Inserts events and their deliveries inside the caller's transaction; on a conflict the caller must roll back.</summary>
    private static async Task<StoreEventsOutcome> InsertEventsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<EventRecord> events, long now, CancellationToken cancellationToken)
    {
        var results = new List<StoreEventResult>(events.Count);
        var targetsByOwner = new Dictionary<string, List<WebhookRecord>>(StringComparer.Ordinal);
        for (var index = 0; index < events.Count; index++)
        {
            var record = events[index];
            var inserted = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"INSERT INTO events ({EventInsertColumns}) VALUES (@Id, @Name, @AccountId, @AppId, @CreatedAt, @Version, @ContentHash, @Body, @IngestedAt) ON CONFLICT (id) DO NOTHING RETURNING seq",
                record, transaction, cancellationToken: cancellationToken));
            if (inserted is null)
            {
                var existing = await connection.QuerySingleAsync<EventRecord>(new CommandDefinition(
                    $"SELECT {EventColumns} FROM events WHERE id = @Id", record, transaction, cancellationToken: cancellationToken));
                if (!existing.ContentHash.AsSpan().SequenceEqual(record.ContentHash))
                {
                    return new StoreEventsOutcome([], index);
                }

                results.Add(new StoreEventResult(existing, Created: false, DeliveryCount: 0));
                continue;
            }

            var ownerKey = record.AccountId is not null ? "a:" + record.AccountId : "p:" + record.AppId;
            if (!targetsByOwner.TryGetValue(ownerKey, out var targets))
            {
                targets = await FanOutTargetsAsync(connection, transaction, record, cancellationToken);
                targetsByOwner[ownerKey] = targets;
            }

            var deliveries = targets.Where(w => w.Subscribes(record.Name)).Select(w => new
            {
                Id = Ids.New(Ids.Delivery),
                EventId = record.Id,
                EventName = record.Name,
                WebhookId = w.Id,
                w.AccountId,
                w.AppId,
                EventAccountId = record.AccountId,
                Now = now,
            }).ToList();
            if (deliveries.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"""
                    INSERT INTO deliveries (id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, created_at, updated_at)
                    VALUES (@Id, @EventId, @EventName, @WebhookId, @AccountId, @AppId, @EventAccountId, '{DeliveryStatus.Queued}', 0, 0, @Now, @False, @Now, @Now)
                    """,
                    deliveries.Select(d => new { d.Id, d.EventId, d.EventName, d.WebhookId, d.AccountId, d.AppId, d.EventAccountId, d.Now, False = false }),
                    transaction, cancellationToken: cancellationToken));
            }

            results.Add(new StoreEventResult(record with { Seq = inserted.Value }, Created: true, deliveries.Count));
        }

        return new StoreEventsOutcome(results, null);
    }

    private static async Task<List<WebhookRecord>> FanOutTargetsAsync(DbConnection connection, DbTransaction transaction, EventRecord record, CancellationToken cancellationToken)
    {
        // Account events reach the account's webhooks and those of every app it actively authorizes;
        // partner events reach only their app's webhooks.
        var sql = record.AccountId is not null
            ? $"""
              SELECT {WebhookColumns} FROM webhooks WHERE account_id = @AccountId AND deleted_at IS NULL AND status = '{WebhookStatus.Enabled}'
              UNION ALL
              SELECT {Prefixed("w", WebhookColumns)} FROM webhooks w JOIN connections c ON c.app_id = w.app_id
              WHERE c.account_id = @AccountId AND c.status = 'ACTIVE' AND w.deleted_at IS NULL AND w.status = '{WebhookStatus.Enabled}'
              """
            : $"SELECT {WebhookColumns} FROM webhooks WHERE app_id = @AppId AND deleted_at IS NULL AND status = '{WebhookStatus.Enabled}'";
        var rows = await connection.QueryAsync<WebhookRecord>(new CommandDefinition(sql, record, transaction, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    public async Task<EventRecord?> GetEventAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("id", id);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EventRecord>(new CommandDefinition(
            $"SELECT {EventColumns} FROM events WHERE id = @id AND {OwnerScopeSql(scope)}", parameters, cancellationToken: cancellationToken));
    }

    public async Task<PagedList<EventRecord>> ListEventsAsync(OwnerScope scope, EventFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new PageQuery(scope, page)
            .And("name = @name", "name", filter.Name)
            .And("created_at >= @from", "from", filter.FromCreatedAt)
            .And("created_at <= @to", "to", filter.ToCreatedAt);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<EventRecord>(new CommandDefinition(
            $"SELECT {EventColumns} FROM events WHERE {where} ORDER BY seq DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return ToPage(rows, page);
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(
        string node, long now, long leaseUntil, int limit, int perWebhookLimit, IReadOnlyCollection<string> excludedWebhookIds, CancellationToken cancellationToken)
    {
        var exclusion = excludedWebhookIds.Count > 0 ? $"AND {NotIn("webhook_id", "excluded")}" : string.Empty;
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Oldest due first, but at most perWebhookLimit per webhook, so one backlogged endpoint cannot fill the
        // batch. The candidates are locked (where the dialect can) before ranking, as row locks and window
        // functions cannot share one SELECT.
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            WITH candidates AS (
              SELECT id, webhook_id, next_attempt_at FROM deliveries
              WHERE status = '{DeliveryStatus.Queued}' AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now) {exclusion}
              ORDER BY next_attempt_at, id LIMIT @scan {ClaimLockClause}),
            ranked AS (
              SELECT id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS position FROM candidates)
            UPDATE deliveries SET lease_owner = @node, lease_expires_at = @leaseUntil
            WHERE id IN (SELECT id FROM ranked WHERE position <= @perWebhookLimit ORDER BY next_attempt_at, id LIMIT @limit)
            RETURNING id
            """,
            new { node, now, leaseUntil, limit, perWebhookLimit, scan = limit * 4, excluded = excludedWebhookIds.ToArray() }, transaction, cancellationToken: cancellationToken))).ToList();
        if (ids.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        var claimed = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            $"""
            SELECT d.id AS delivery_id, d.event_id, d.webhook_id, w.url, w.secret, w.next_secret, w.next_secret_at,
                   CASE WHEN w.deleted_at IS NULL THEN w.status ELSE 'DELETED' END AS webhook_status,
                   d.attempt_count, d.round_attempts, e.body
            FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
            WHERE {In("d.id", "ids")} ORDER BY d.next_attempt_at, d.id
            """,
            new { ids }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return claimed.ToList();
    }

    public async Task ReleaseAsync(IReadOnlyCollection<string> deliveryIds, string node, CancellationToken cancellationToken)
    {
        if (deliveryIds.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE {In("id", "ids")} AND lease_owner = @node",
            new { ids = deliveryIds.ToArray(), node }, cancellationToken: cancellationToken));
    }

    public async Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var attempts = outcomes.Where(o => o.Attempt is not null).Select(o => o.Attempt!).ToList();
        if (attempts.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_body) VALUES (@DeliveryId, @Number, @StartedAt, @DurationMs, @StatusCode, @Error, @ResponseBody)",
                attempts, transaction, cancellationToken: cancellationToken));
        }

        // Only a queued delivery moves on: one cancelled meanwhile (webhook disabled or deleted) stays cancelled.
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = @NewStatus, next_attempt_at = @NextAttemptAt,
              attempt_count = attempt_count + @Counted, round_attempts = round_attempts + @Counted,
              last_status_code = @StatusCode, last_error = @Error, lease_owner = NULL, lease_expires_at = NULL, updated_at = @Now
            WHERE id = @DeliveryId AND status = '{DeliveryStatus.Queued}'
            """,
            outcomes.Select(o => new
            {
                o.DeliveryId,
                o.NewStatus,
                o.NextAttemptAt,
                Counted = o.Attempt is null ? 0 : 1,
                o.Attempt?.StatusCode,
                o.Attempt?.Error,
                Now = now,
            }),
            transaction, cancellationToken: cancellationToken));

        foreach (var outcome in outcomes.Where(o => o.DisableWebhookReason is not null))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE webhooks SET status = '{WebhookStatus.Disabled}', disabled_reason = @reason, updated_at = @now WHERE id = @id AND status = '{WebhookStatus.Enabled}'",
                new { id = outcome.WebhookId, reason = outcome.DisableWebhookReason, now }, transaction, cancellationToken: cancellationToken));
            await CancelQueuedAsync(connection, transaction, outcome.WebhookId, now, outcome.DeliveryId, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("ids", ids.ToArray());
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM deliveries WHERE {In("id", "ids")} AND {OwnerScopeSql(scope)}", parameters, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    public async Task<(DeliveryRecord Delivery, IReadOnlyList<AttemptRecord> Attempts)?> GetDeliveryWithAttemptsAsync(
        string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("id", id);
        await using var connection = await OpenAsync(cancellationToken);
        await using var snapshot = await BeginSnapshotAsync(connection, cancellationToken);
        var delivery = await connection.QuerySingleOrDefaultAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM deliveries WHERE id = @id AND {OwnerScopeSql(scope)}", parameters, snapshot, cancellationToken: cancellationToken));
        if (delivery is null)
        {
            return null;
        }

        var attempts = await connection.QueryAsync<AttemptRecord>(new CommandDefinition(
            "SELECT id, delivery_id, number, started_at, duration_ms, status_code, error, response_body FROM attempts WHERE delivery_id = @id ORDER BY id",
            new { id }, snapshot, cancellationToken: cancellationToken));
        await snapshot.CommitAsync(cancellationToken);
        return (delivery, attempts.ToList());
    }

    public async Task<PagedList<DeliveryRecord>> ListDeliveriesAsync(OwnerScope scope, DeliveryFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new PageQuery(scope, page)
            .And("webhook_id = @webhookId", "webhookId", filter.WebhookId)
            .And("event_id = @eventId", "eventId", filter.EventId)
            .And("status = @status", "status", filter.Status);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM deliveries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return ToPage(rows, page);
    }

    public async Task RetriggerAsync(IReadOnlyCollection<string> deliveryIds, long now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = '{DeliveryStatus.Queued}', next_attempt_at = @now, round_attempts = 0, retriggered = @retriggered,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
            WHERE {In("id", "ids")}
            """,
            new { ids = deliveryIds.ToArray(), now, retriggered = true }, cancellationToken: cancellationToken));
    }

    private static Task<int> CancelQueuedAsync(DbConnection connection, DbTransaction transaction, string webhookId, long now, string? exceptDeliveryId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE deliveries SET status = '{DeliveryStatus.Cancelled}', next_attempt_at = NULL, updated_at = @now WHERE webhook_id = @webhookId AND status = '{DeliveryStatus.Queued}' AND id <> @except",
            new { webhookId, now, except = exceptDeliveryId ?? string.Empty }, transaction, cancellationToken: cancellationToken));

    /// <summary>Filters a table whose rows carry <c>account_id</c> and <c>app_id</c> to one tenant.</summary>
    private static string OwnerScopeSql(OwnerScope scope) => scope switch
    {
        { AccountId: not null } => "account_id = @scopeAccount",
        { OrgId: not null } => "account_id IN (SELECT id FROM accounts WHERE org_id = @scopeOrg)",
        { AppId: not null } => "app_id = @scopeApp",
        _ => "1 = 1",
    };

    private static string AccountScope(OwnerScope scope) => scope switch
    {
        { AccountId: not null } => "id = @scopeAccount",
        { OrgId: not null } => "org_id = @scopeOrg",
        { AppId: not null } => "id IN (SELECT account_id FROM connections WHERE app_id = @scopeApp)",
        _ => "1 = 1",
    };

    private static DynamicParameters ScopeParameters(OwnerScope scope)
    {
        var parameters = new DynamicParameters();
        parameters.Add("scopeAccount", scope.AccountId);
        parameters.Add("scopeOrg", scope.OrgId);
        parameters.Add("scopeApp", scope.AppId);
        return parameters;
    }

    private static DynamicParameters PageParameters(OwnerScope scope, Page page)
    {
        var parameters = ScopeParameters(scope);
        parameters.Add("take", page.Size + 1);
        parameters.Add("skip", page.Offset);
        return parameters;
    }

    /// <summary>A list query's WHERE clause: the tenant scope, then each optional filter that has a value.</summary>
    private sealed class PageQuery(OwnerScope scope, Page page)
    {
        private readonly StringBuilder _sql = new(OwnerScopeSql(scope));

        public DynamicParameters Parameters { get; } = PageParameters(scope, page);

        public PageQuery And(string condition, string parameter, object? value)
        {
            if (value is not null)
            {
                _sql.Append(" AND ").Append(condition);
                Parameters.Add(parameter, value);
            }

            return this;
        }

        public override string ToString() => _sql.ToString();
    }

    private static PagedList<T> ToPage<T>(IEnumerable<T> rows, Page page)
    {
        var list = rows.ToList();
        var hasMore = list.Count > page.Size;
        if (hasMore)
        {
            list.RemoveAt(list.Count - 1);
        }

        return new PagedList<T>(list, hasMore);
    }

    private static string Prefixed(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));
}
