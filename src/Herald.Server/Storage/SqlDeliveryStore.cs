using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;

namespace Herald.Server.Storage;

internal sealed class SqlDeliveryStore(SqlDatabase database, SecretProtector protector) : IDeliveryStore
{
    private const string Columns =
        "id, event_id, event_name, webhook_id, account_id, app_id, event_account_id, status, attempt_count, round_attempts, next_attempt_at, retriggered, last_status_code, last_error, created_at, updated_at";

    private const string AttemptColumns = "id, delivery_id, number, started_at, duration_ms, status_code, error, response_body";

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        var exclusion = request.ExcludedWebhookIds.Count > 0 ? $"AND {database.NotIn("webhook_id", "excluded")}" : string.Empty;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Oldest due first, but at most PerWebhookLimit per webhook, so one backlogged endpoint cannot fill the batch.
        // The candidates are locked (where the dialect can) before ranking, as row locks and window functions cannot
        // share one SELECT.
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            WITH candidates AS (
              SELECT id, webhook_id, next_attempt_at FROM deliveries
              WHERE status = '{DeliveryStatus.Queued}' AND next_attempt_at <= @Now AND (lease_expires_at IS NULL OR lease_expires_at <= @Now) {exclusion}
              ORDER BY next_attempt_at, id LIMIT @scan {database.ClaimLockClause}),
            ranked AS (
              SELECT id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS position FROM candidates)
            UPDATE deliveries SET lease_owner = @Node, lease_expires_at = @LeaseUntil
            WHERE id IN (SELECT id FROM ranked WHERE position <= @PerWebhookLimit ORDER BY next_attempt_at, id LIMIT @Limit)
            RETURNING id
            """,
            new { request.Node, request.Now, request.LeaseUntil, request.Limit, request.PerWebhookLimit, scan = request.Limit * 4, excluded = request.ExcludedWebhookIds.ToArray() },
            transaction, cancellationToken: cancellationToken))).AsList();
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
            WHERE {database.In("d.id", "ids")} ORDER BY d.next_attempt_at, d.id
            """,
            new { ids }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return [.. claimed.Select(protector.Unprotect)];
    }

    public async Task ReleaseAsync(IReadOnlyCollection<string> deliveryIds, string node, CancellationToken cancellationToken)
    {
        if (deliveryIds.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE {database.In("id", "ids")} AND lease_owner = @node",
            new { ids = deliveryIds.ToArray(), node }, cancellationToken: cancellationToken));
    }

    public async Task RecordOutcomesAsync(IReadOnlyList<DeliveryOutcome> outcomes, long now, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
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
            await SqlWebhookStore.CancelQueuedAsync(connection, transaction, outcome.WebhookId, now, outcome.DeliveryId, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
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
            .And("status = @status", "status", filter.Status);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            $"SELECT {Columns} FROM deliveries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip", where.Parameters, cancellationToken: cancellationToken));
        return PagedList<Delivery>.FromOverfetch(rows, page);
    }

    public async Task RetriggerAsync(IReadOnlyCollection<string> deliveryIds, long now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = '{DeliveryStatus.Queued}', next_attempt_at = @now, round_attempts = 0, retriggered = @retriggered,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
            WHERE {database.In("id", "ids")}
            """,
            new { ids = deliveryIds.ToArray(), now, retriggered = true }, cancellationToken: cancellationToken));
    }
}
