using System.Data.Common;
using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Herald.Internal;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Server.Storage;

internal sealed class SqlDeliveryStore(SqlDatabase database, SecretProtector protector) : IDeliveryStore
{
    private const string Columns =
        "id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, last_status_code, last_error, created_at, updated_at";

    private const string AttemptColumns = "id, delivery_id, number, started_at, duration_ms, status_code, error, response_body";

    private const string ClaimedColumns =
        "d.id AS delivery_id, d.event_id, d.webhook_id, w.url, w.secret, w.next_secret, w.next_secret_at, w.status AS webhook_status, " +
        "w.failing_since AS webhook_failing_since, d.attempt_count, d.round_attempts, e.body, d.lease_token, e.trace_parent";

    /// <summary>
    /// The oldest due deliveries of enabled webhooks, at most <c>PerWebhookLimit</c> per webhook so one backlogged
    /// endpoint cannot fill the batch. Paused deliveries (no next attempt time) and those of excluded webhooks are skipped.
    /// </summary>
    private string PickSql(ClaimRequest request) =>
        $"""
        due AS (
          SELECT d.id, d.webhook_id, d.next_attempt_at FROM deliveries d {database.UseIndex("deliveries_due")} JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.status = '{DeliveryStatus.Queued}' AND d.next_attempt_at <= @Now AND {Claimable("d")}
            AND w.status = '{WebhookStatus.Enabled}' AND w.deleted_at IS NULL
            {(request.ExcludedWebhookIds.Count > 0 ? $"AND {database.NotIn("d.webhook_id", "Excluded")}" : string.Empty)}
          ORDER BY d.next_attempt_at, d.id LIMIT @Scan),
        ranked AS (
          SELECT id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS position FROM due),
        picked AS (
          SELECT id, next_attempt_at FROM ranked WHERE position <= @PerWebhookLimit ORDER BY next_attempt_at, id LIMIT @Limit)
        """;

    /// <summary>Not leased, or (when taking over) leased until a time already past.</summary>
    private static string Claimable(string alias) => $"({alias}.lease_expires_at IS NULL OR (@TakeOver AND {alias}.lease_expires_at <= @Now))";

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var parameters = new
        {
            request.Node,
            request.Token,
            request.Now,
            request.LeaseUntil,
            request.Limit,
            request.PerWebhookLimit,
            Scan = request.Limit * 4,
            Excluded = request.ExcludedWebhookIds.ToArray(),
            TakeOver = request.TakeOverExpiredLeases,
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect == SchemaDialect.Postgres)
        {
            // One statement, no explicit transaction: pick without locking, lock only the picked rows (skipping those
            // another node holds), lease them and read what sending needs.
            var claimed = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
                $"""
                WITH {PickSql(request)},
                locked AS (
                  SELECT d.id FROM deliveries d JOIN picked p ON p.id = d.id
                  WHERE d.status = '{DeliveryStatus.Queued}' AND {Claimable("d")}
                  FOR UPDATE OF d SKIP LOCKED),
                leased AS (
                  UPDATE deliveries d SET lease_owner = @Node, lease_token = @Token, lease_expires_at = @LeaseUntil
                  FROM locked WHERE d.id = locked.id
                  RETURNING d.id, d.event_id, d.webhook_id, d.attempt_count, d.round_attempts, d.next_attempt_at, d.lease_token)
                SELECT {ClaimedColumns}
                FROM leased d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
                ORDER BY d.next_attempt_at, d.id
                """,
                parameters, cancellationToken: cancellationToken));
            return [.. claimed.Select(protector.Unprotect)];
        }

        // SQLite: the write lock (BEGIN IMMEDIATE) makes pick-and-lease atomic; the sending data is read in the same snapshot.
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            WITH {PickSql(request)}
            UPDATE deliveries SET lease_owner = @Node, lease_token = @Token, lease_expires_at = @LeaseUntil
            WHERE id IN (SELECT id FROM picked)
            RETURNING id
            """,
            parameters, transaction, cancellationToken: cancellationToken))).AsList();
        if (ids.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        var rows = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            $"""
            SELECT {ClaimedColumns}
            FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
            WHERE {database.In("d.id", "ids")} ORDER BY d.next_attempt_at, d.id
            """,
            new { ids }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return [.. rows.Select(protector.Unprotect)];
    }

    public async Task ReleaseAsync(IReadOnlyCollection<ClaimedDelivery> deliveries, string node, long? notBefore, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        var release = "UPDATE deliveries SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL" +
            (notBefore is { } until ? $", next_attempt_at = CASE WHEN next_attempt_at < {until} THEN {until} ELSE next_attempt_at END" : string.Empty);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"{release} FROM unnest(@id, @token) AS r(id, token) WHERE deliveries.id = r.id AND deliveries.lease_token = r.token AND deliveries.lease_owner = @node",
                postgres);
            command.Array("id", NpgsqlDbType.Text, deliveries.Select(d => d.DeliveryId).ToArray());
            command.Array("token", NpgsqlDbType.Bigint, deliveries.Select(d => d.LeaseToken).ToArray());
            command.Parameters.AddWithValue("node", node);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var write = await database.BeginWriteAsync(connection, cancellationToken);

        var transaction = write.Transaction;
        await using var update = connection.Command(transaction, $"{release} WHERE id = $id AND lease_token = $token AND lease_owner = $node");
        var (id, token) = (update.Parameter("$id"), update.Parameter("$token"));
        update.Parameter("$node", node);
        foreach (var delivery in deliveries)
        {
            id.Set(delivery.DeliveryId);
            token.Set(delivery.LeaseToken);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;

        // Deliveries first: their row locks are taken before anything else, so a write that stalls still holds them and
        // no other node can claim and send them again meanwhile.
        await MoveDeliveriesAsync(connection, transaction, outcomes, now, cancellationToken);
        await AppendAttemptsAsync(connection, transaction, outcomes, cancellationToken);
        await RecordEndpointHealthAsync(connection, transaction, outcomes, cancellationToken);
        foreach (var outcome in outcomes.Where(o => o.Disable is not null))
        {
            await DisableWebhookAsync(connection, transaction, outcome.WebhookId, outcome.Disable!, outcome.DeliveryId, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Moves each delivery on where it is still queued under the outcome's lease; last_status_code and last_error mirror the attempt.</summary>
    private static async Task MoveDeliveriesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken)
    {
        const string Set =
            "status = o.status, next_attempt_at = o.next_attempt_at, attempt_count = attempt_count + o.counted, round_attempts = round_attempts + o.counted, " +
            "last_status_code = o.status_code, last_error = o.error, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = @now";
        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"""
                UPDATE deliveries SET {Set}
                FROM unnest(@id, @token, @status, @next, @counted, @code, @error) AS o(id, token, status, next_attempt_at, counted, status_code, error)
                WHERE deliveries.id = o.id AND deliveries.status = '{DeliveryStatus.Queued}' AND deliveries.lease_token = o.token
                """,
                postgres,
                (NpgsqlTransaction)transaction);
            command.Array("id", NpgsqlDbType.Text, outcomes.Select(o => o.DeliveryId).ToArray());
            command.Array("token", NpgsqlDbType.Bigint, outcomes.Select(o => o.LeaseToken).ToArray());
            command.Array("status", NpgsqlDbType.Text, outcomes.Select(o => o.NewStatus).ToArray());
            command.Array("next", NpgsqlDbType.Bigint, outcomes.Select(o => o.NextAttemptAt).ToArray());
            command.Array("counted", NpgsqlDbType.Integer, outcomes.Select(o => o.Attempt is null ? 0 : 1).ToArray());
            command.Array("code", NpgsqlDbType.Integer, outcomes.Select(o => o.Attempt?.StatusCode).ToArray());
            command.Array("error", NpgsqlDbType.Text, outcomes.Select(o => o.Attempt?.Error).ToArray());
            command.Parameters.AddWithValue("now", now);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var update = connection.Command(transaction,
            $"""
            UPDATE deliveries SET {Set.Replace("o.", "$", StringComparison.Ordinal).Replace("@now", "$now", StringComparison.Ordinal)}
            WHERE id = $id AND status = '{DeliveryStatus.Queued}' AND lease_token = $token
            """);
        var (id, token, status, next, counted, code, error) = (
            update.Parameter("$id"), update.Parameter("$token"), update.Parameter("$status"), update.Parameter("$next_attempt_at"), update.Parameter("$counted"),
            update.Parameter("$status_code"), update.Parameter("$error"));
        update.Parameter("$now", now);
        foreach (var outcome in outcomes)
        {
            id.Set(outcome.DeliveryId);
            token.Set(outcome.LeaseToken);
            status.Set(outcome.NewStatus);
            next.Set(outcome.NextAttemptAt);
            counted.Set(outcome.Attempt is null ? 0 : 1);
            code.Set(outcome.Attempt?.StatusCode);
            error.Set(outcome.Attempt?.Error);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Appends every attempt made, whether or not its delivery still held the lease: the POST happened.</summary>
    private static async Task AppendAttemptsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken)
    {
        var attempts = outcomes.Where(o => o.Attempt is not null).Select(o => o.Attempt!).ToArray();
        if (attempts.Length == 0)
        {
            return;
        }

        const string Columns = "delivery_id, number, started_at, duration_ms, status_code, error, response_body";
        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO attempts ({Columns}) SELECT * FROM unnest(@delivery, @number, @started, @duration, @code, @error, @body)", postgres, (NpgsqlTransaction)transaction);
            command.Array("delivery", NpgsqlDbType.Text, attempts.Select(a => a.DeliveryId).ToArray());
            command.Array("number", NpgsqlDbType.Integer, attempts.Select(a => a.Number).ToArray());
            command.Array("started", NpgsqlDbType.Bigint, attempts.Select(a => a.StartedAt).ToArray());
            command.Array("duration", NpgsqlDbType.Bigint, attempts.Select(a => a.DurationMs).ToArray());
            command.Array("code", NpgsqlDbType.Integer, attempts.Select(a => a.StatusCode).ToArray());
            command.Array("error", NpgsqlDbType.Text, attempts.Select(a => a.Error).ToArray());
            command.Array("body", NpgsqlDbType.Text, attempts.Select(a => a.ResponseBody).ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var insert = connection.Command(transaction, $"INSERT INTO attempts ({Columns}) VALUES ($delivery, $number, $started, $duration, $code, $error, $body)");
        var (delivery, number, started, duration, code, error, body) = (
            insert.Parameter("$delivery"), insert.Parameter("$number"), insert.Parameter("$started"), insert.Parameter("$duration"), insert.Parameter("$code"),
            insert.Parameter("$error"), insert.Parameter("$body"));
        foreach (var attempt in attempts)
        {
            delivery.Set(attempt.DeliveryId);
            number.Set(attempt.Number);
            started.Set(attempt.StartedAt);
            duration.Set(attempt.DurationMs);
            code.Set(attempt.StatusCode);
            error.Set(attempt.Error);
            body.Set(attempt.ResponseBody);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Keeps each webhook's <c>failing_since</c>: cleared when its last attempt in the batch succeeded, else the start of
    /// its failures (kept when it was already failing before the batch). Rows whose state does not change are not written.
    /// </summary>
    private static async Task RecordEndpointHealthAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken)
    {
        var health = new Dictionary<string, (bool Healthy, bool SucceededInBatch, long? FailingSince)>(StringComparer.Ordinal);
        foreach (var outcome in outcomes.Where(o => o.Endpoint != EndpointHealth.Unknown && o.Attempt is not null).OrderBy(o => o.Attempt!.StartedAt))
        {
            health.TryGetValue(outcome.WebhookId, out var state);
            health[outcome.WebhookId] = outcome.Endpoint == EndpointHealth.Healthy
                ? (true, true, null)
                : (false, state.SucceededInBatch, state.Healthy || state.FailingSince is null ? outcome.Attempt!.StartedAt : state.FailingSince);
        }

        if (health.Count == 0)
        {
            return;
        }

        // A failure after a success in the same batch starts a new failing period; otherwise an ongoing one is kept.
        const string Change =
            "failing_since = CASE WHEN h.healthy THEN NULL WHEN h.succeeded THEN h.since ELSE COALESCE(webhooks.failing_since, h.since) END";
        const string Needed = "(h.healthy AND webhooks.failing_since IS NOT NULL) OR (NOT h.healthy AND (h.succeeded OR webhooks.failing_since IS NULL))";
        if (connection is NpgsqlConnection postgres)
        {
            await using var command = new NpgsqlCommand(
                $"UPDATE webhooks SET {Change} FROM unnest(@id, @healthy, @succeeded, @since) AS h(id, healthy, succeeded, since) WHERE webhooks.id = h.id AND ({Needed})",
                postgres,
                (NpgsqlTransaction)transaction);
            command.Array("id", NpgsqlDbType.Text, health.Keys.ToArray());
            command.Array("healthy", NpgsqlDbType.Boolean, health.Values.Select(h => h.Healthy).ToArray());
            command.Array("succeeded", NpgsqlDbType.Boolean, health.Values.Select(h => h.SucceededInBatch).ToArray());
            command.Array("since", NpgsqlDbType.Bigint, health.Values.Select(h => h.FailingSince).ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var update = connection.Command(transaction,
            $"""
            UPDATE webhooks SET {Change.Replace("h.", "$", StringComparison.Ordinal)}
            WHERE id = $id AND ({Needed.Replace("h.", "$", StringComparison.Ordinal)})
            """);
        var (id, healthy, succeeded, since) = (update.Parameter("$id"), update.Parameter("$healthy"), update.Parameter("$succeeded"), update.Parameter("$since"));
        foreach (var (webhookId, state) in health)
        {
            id.Set(webhookId);
            healthy.Set(state.Healthy);
            succeeded.Set(state.SucceededInBatch);
            since.Set(state.FailingSince);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task DisableWebhookAsync(
        DbConnection connection, DbTransaction transaction, string webhookId, WebhookDisable disable, string deliveryId, long now, CancellationToken cancellationToken)
    {
        var disabled = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE webhooks SET status = '{WebhookStatus.Disabled}', disabled_reason = @reason, updated_at = @now WHERE id = @id AND status = '{WebhookStatus.Enabled}'",
            new { id = webhookId, reason = disable.Reason, now }, transaction, cancellationToken: cancellationToken));
        if (disabled == 0)
        {
            return;
        }

        if (disable.CancelQueued)
        {
            await SqlWebhookStore.CancelQueuedAsync(connection, transaction, webhookId, now, deliveryId, cancellationToken);
        }
        else
        {
            await SqlWebhookStore.PauseQueuedAsync(connection, transaction, webhookId, now, cancellationToken);
        }
    }

    public async Task ExtendLeasesAsync(IReadOnlyCollection<(string DeliveryId, long LeaseToken)> leases, long until, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        if (connection is NpgsqlConnection postgres)
        {
            // Rows locked by an outcome write in progress are skipped: that write is their lease (nobody can claim them).
            await using var command = new NpgsqlCommand(
                $"""
                UPDATE deliveries SET lease_expires_at = @until
                FROM (SELECT d.id FROM deliveries d JOIN unnest(@id, @token) AS l(id, token) ON d.id = l.id AND d.lease_token = l.token
                      WHERE d.status = '{DeliveryStatus.Queued}' FOR UPDATE OF d SKIP LOCKED) AS kept
                WHERE deliveries.id = kept.id
                """,
                postgres);
            command.Array("id", NpgsqlDbType.Text, leases.Select(l => l.DeliveryId).ToArray());
            command.Array("token", NpgsqlDbType.Bigint, leases.Select(l => l.LeaseToken).ToArray());
            command.Parameters.AddWithValue("until", until);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var write = await database.BeginWriteAsync(connection, cancellationToken);

        var transaction = write.Transaction;
        await using var update = connection.Command(transaction,
            $"UPDATE deliveries SET lease_expires_at = $until WHERE id = $id AND lease_token = $token AND status = '{DeliveryStatus.Queued}'");
        var (id, token) = (update.Parameter("$id"), update.Parameter("$token"));
        update.Parameter("$until", until);
        foreach (var lease in leases)
        {
            id.Set(lease.DeliveryId);
            token.Set(lease.LeaseToken);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeferAsync(string webhookId, long now, long until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET next_attempt_at = @until
            WHERE webhook_id = @webhookId AND status = '{DeliveryStatus.Queued}' AND next_attempt_at < @until AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
            """,
            new { webhookId, now, until }, cancellationToken: cancellationToken));
    }

    public async Task<(Delivery Delivery, IReadOnlyList<DeliveryAttempt> Attempts)?> GetWithAttemptsAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("id", id);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var snapshot = await database.BeginSnapshotAsync(connection, cancellationToken);
        var delivery = await connection.QuerySingleOrDefaultAsync<Delivery>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE id = @id AND {where}", where.Parameters, snapshot, cancellationToken: cancellationToken));
        if (delivery is null)
        {
            return null;
        }

        var attempts = await connection.QueryAsync<DeliveryAttempt>(new CommandDefinition(
            $"SELECT {AttemptColumns} FROM attempts WHERE delivery_id = @id ORDER BY id", new { id }, snapshot, cancellationToken: cancellationToken));
        await snapshot.CommitAsync(cancellationToken);
        return (delivery, attempts.AsList());
    }

    public async Task<IReadOnlyList<Delivery>> GetManyAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("ids", ids.ToArray());
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE {database.In("id", "ids")} AND {where}", where.Parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<DeliveryWithWebhookState>> GetWithWebhookStateAsync(IReadOnlyCollection<string> ids, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, alias: "d").With("ids", ids.ToArray());
        var columns = string.Join(", ", Columns.Split(", ").Select(c => "d." + c));
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Delivery, string, DeliveryWithWebhookState>(
            new CommandDefinition(
                $"""
                SELECT {columns}, CASE WHEN w.deleted_at IS NULL THEN w.status ELSE 'DELETED' END AS webhook_status
                FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE {database.In("d.id", "ids")} AND {where}
                """,
                where.Parameters, cancellationToken: cancellationToken),
            (delivery, webhookStatus) => new DeliveryWithWebhookState(delivery, webhookStatus == WebhookStatus.Enabled),
            splitOn: "webhook_status");
        return rows.AsList();
    }

    public async Task<PagedList<Delivery>> ListAsync(OwnerScope scope, DeliveryFilter filter, Page page, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, page)
            .And("webhook_id = @webhookId", "webhookId", filter.WebhookId)
            .And("event_id = @eventId", "eventId", filter.EventId)
            .And("status = @status", "status", filter.Status)
            .And("created_at >= @from", "from", filter.FromCreatedAt)
            .And("created_at <= @to", "to", filter.ToCreatedAt);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return PagedList<Delivery>.FromOverfetch(rows, page);
    }

    public async Task<IReadOnlyList<AttemptStatsRow>> GetAttemptStatsAsync(OwnerScope scope, AttemptStatsQuery query, CancellationToken cancellationToken)
    {
        var success = query.AcceptAny2xx ? "a.status_code BETWEEN 200 AND 299" : "a.status_code = 200";
        var latencyClass = new System.Text.StringBuilder("CASE");
        for (var i = 0; i < DeliveryStats.LatencyBounds.Count; i++)
        {
            latencyClass.Append(System.Globalization.CultureInfo.InvariantCulture, $" WHEN a.duration_ms < {DeliveryStats.LatencyBounds[i]} THEN {i}");
        }

        latencyClass.Append(System.Globalization.CultureInfo.InvariantCulture, $" ELSE {DeliveryStats.LatencyBounds.Count} END");

        // Attempts carry time, status and duration; their deliveries carry tenant and webhook. The range is one scan
        // of the covering index attempts_started, checked against the set of delivery ids in scope, read from an index
        // (webhook_id or account_id, created_at, id); the operator's overall figures need no deliveries at all.
        // `delivery_id || ''` keeps SQLite from looking attempts up by delivery_id instead, one lookup per id in scope.
        var needsDelivery = query.WebhookId is not null || scope != OwnerScope.Everything;
        var where = new ScopedQuery(scope, alias: "d")
            .And("d.webhook_id = @webhookId", "webhookId", query.WebhookId)
            .With("from", query.From).With("to", query.To).With("bucket", query.BucketMs);
        var source = needsDelivery
            ? $"attempts a WHERE a.started_at >= @from AND a.started_at < @to AND a.delivery_id || '' IN (SELECT d.id FROM deliveries d WHERE {where})"
            : "attempts a WHERE a.started_at >= @from AND a.started_at < @to";
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AttemptStatsRow>(new CommandDefinition(
            $"""
            SELECT (a.started_at - @from) / @bucket AS BucketIndex,
                   CASE WHEN {success} THEN 0 WHEN a.status_code IS NULL THEN 2 ELSE 1 END AS Outcome,
                   {latencyClass} AS LatencyClass,
                   COUNT(*) AS Count, CAST(SUM(a.duration_ms) AS BIGINT) AS TotalDurationMs, MAX(a.duration_ms) AS MaxDurationMs
            FROM {source}
            GROUP BY 1, 2, 3
            """,
            where.Parameters, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task RetriggerAsync(IReadOnlyCollection<string> deliveryIds, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = '{DeliveryStatus.Queued}', next_attempt_at = @now, round_attempts = 0, retriggered = @retriggered,
              lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = @now
            WHERE {database.In("id", "ids")}
            """,
            new { ids = deliveryIds.ToArray(), now, retriggered = true }, cancellationToken: cancellationToken));
    }
}
