using System.Data.Common;
using Dapper;
using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Partners;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;

namespace Herald.Server.Storage;

/// <summary>A <c>webhooks</c> row: the subscription is stored as one comma-joined column (catalog names hold no commas).</summary>
internal sealed class WebhookRow
{
    public const string Columns =
        "id, account_id, app_id, url, event_list, all_events, secret, next_secret, next_secret_at, status, disabled_reason, failing_since, description, created_at, updated_at";

    public string Id { get; set; } = string.Empty;
    public string? AccountId { get; set; }
    public string? AppId { get; set; }
    public string Url { get; set; } = string.Empty;
    public string EventList { get; set; } = string.Empty;
    public bool AllEvents { get; set; }
    public string? Secret { get; set; }
    public string? NextSecret { get; set; }
    public long? NextSecretAt { get; set; }
    public string Status { get; set; } = string.Empty;
    public string? DisabledReason { get; set; }
    public long? FailingSince { get; set; }
    public string? Description { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>Only for the event-target query: the account an event must belong to for this row to be a target.</summary>
    public string? TargetAccountId { get; set; }

    public Webhook ToWebhook(SecretProtector protector) => protector.Unprotect(ToStoredWebhook());

    private Webhook ToStoredWebhook() => new()
    {
        Id = Id,
        AccountId = AccountId,
        AppId = AppId,
        Url = Url,
        Events = EventList.Length == 0 ? [] : EventList.Split(','),
        AllEvents = AllEvents,
        Secret = Secret,
        NextSecret = NextSecret,
        NextSecretAt = NextSecretAt,
        Status = Status,
        DisabledReason = DisabledReason,
        FailingSince = FailingSince,
        Description = Description,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
    };

    public static object Parameters(Webhook webhook, SecretProtector protector) => new
    {
        webhook.Id,
        webhook.AccountId,
        webhook.AppId,
        webhook.Url,
        EventList = string.Join(',', webhook.Events),
        webhook.AllEvents,
        Secret = protector.Protect(webhook.Secret, webhook.Id),
        NextSecret = protector.Protect(webhook.NextSecret, webhook.Id),
        webhook.NextSecretAt,
        webhook.Status,
        webhook.DisabledReason,
        webhook.FailingSince,
        webhook.Description,
        webhook.CreatedAt,
        webhook.UpdatedAt,
    };
}

/// <remarks>Signing secrets are encrypted on the way in and decrypted on the way out (<see cref="SecretProtector"/>); the rest of Herald sees them plain.</remarks>
internal sealed class SqlWebhookStore(SqlDatabase database, SecretProtector protector) : IWebhookStore
{
    public async Task CreateAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO webhooks ({WebhookRow.Columns})
            VALUES (@Id, @AccountId, @AppId, @Url, @EventList, @AllEvents, @Secret, @NextSecret, @NextSecretAt, @Status, @DisabledReason, @FailingSince, @Description, @CreatedAt, @UpdatedAt)
            """,
            WebhookRow.Parameters(webhook, protector), cancellationToken: cancellationToken));
    }

    public async Task<Webhook?> GetAsync(string id, OwnerScope scope, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("id", id);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {WebhookRow.Columns} FROM webhooks WHERE id = @id AND deleted_at IS NULL AND {where}", where.Parameters, cancellationToken: cancellationToken));
        return row?.ToWebhook(protector);
    }

    public async Task<int> CountAsync(OwnerScope owner, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(owner);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT COUNT(*) FROM webhooks WHERE deleted_at IS NULL AND {where}", where.Parameters, cancellationToken: cancellationToken));
    }

    public async Task<PagedList<Webhook>> ListAsync(OwnerScope scope, Page page, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope, page);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {WebhookRow.Columns} FROM webhooks WHERE deleted_at IS NULL AND {where} ORDER BY created_at DESC, id DESC LIMIT @take OFFSET @skip",
            where.Parameters, cancellationToken: cancellationToken));
        return PagedList<WebhookRow>.FromOverfetch(rows, page).Select(row => row.ToWebhook(protector));
    }

    public async Task UpdateAsync(Webhook webhook, QueuedDeliveries queued, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhooks SET url = @Url, event_list = @EventList, all_events = @AllEvents, secret = @Secret, next_secret = @NextSecret,
              next_secret_at = @NextSecretAt, status = @Status, disabled_reason = @DisabledReason, failing_since = @FailingSince,
              description = @Description, updated_at = @UpdatedAt
            WHERE id = @Id AND deleted_at IS NULL
            """,
            WebhookRow.Parameters(webhook, protector), transaction, cancellationToken: cancellationToken));
        switch (queued)
        {
            case QueuedDeliveries.Cancel:
                await CancelQueuedAsync(connection, transaction, webhook.Id, webhook.UpdatedAt, exceptDeliveryId: null, cancellationToken);
                break;
            case QueuedDeliveries.Resume:
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE deliveries SET next_attempt_at = @now, updated_at = @now WHERE webhook_id = @id AND status = '{DeliveryStatus.Queued}' AND next_attempt_at IS NULL",
                    new { id = webhook.Id, now = webhook.UpdatedAt }, transaction, cancellationToken: cancellationToken));
                break;
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, OwnerScope scope, long now, CancellationToken cancellationToken)
    {
        var where = new ScopedQuery(scope).With("id", id).With("now", now);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var write = await database.BeginWriteAsync(connection, cancellationToken);
        var transaction = write.Transaction;
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE webhooks SET deleted_at = @now, updated_at = @now, status = '{WebhookStatus.Disabled}', disabled_reason = '{WebhookService.Deleted}'
            WHERE id = @id AND deleted_at IS NULL AND {where}
            """,
            where.Parameters, transaction, cancellationToken: cancellationToken));
        if (deleted == 1)
        {
            await CancelQueuedAsync(connection, transaction, id, now, exceptDeliveryId: null, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    public async Task<ILookup<string, Webhook>> GetAccountEventTargetsAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        if (accountIds.Count == 0)
        {
            return Array.Empty<Webhook>().ToLookup(_ => string.Empty);
        }

        var columns = string.Join(", ", WebhookRow.Columns.Split(", ").Select(c => "w." + c));
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            $"""
            SELECT {columns}, w.account_id AS target_account_id FROM webhooks w
            WHERE {database.In("w.account_id", "accountIds")} AND w.deleted_at IS NULL AND w.status = '{WebhookStatus.Enabled}'
            UNION ALL
            SELECT {columns}, c.account_id AS target_account_id FROM webhooks w JOIN connections c ON c.app_id = w.app_id
            WHERE {database.In("c.account_id", "accountIds")} AND c.status = '{ConnectionStatus.Active}' AND w.deleted_at IS NULL AND w.status = '{WebhookStatus.Enabled}'
            """,
            new { accountIds = accountIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToLookup(row => row.TargetAccountId!, row => row.ToWebhook(protector), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Webhook>> GetAppWebhooksAsync(string appId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {WebhookRow.Columns} FROM webhooks WHERE app_id = @appId AND deleted_at IS NULL AND status = '{WebhookStatus.Enabled}'",
            new { appId }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToWebhook(protector))];
    }

    /// <summary>
    /// Pauses a webhook's queued deliveries in the caller's transaction (auto-disable): they stay queued with no next
    /// attempt time, so claims skip them, until the webhook is enabled again.
    /// </summary>
    public static Task<int> PauseQueuedAsync(DbConnection connection, DbTransaction transaction, string webhookId, long now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE deliveries SET next_attempt_at = NULL, updated_at = @now WHERE webhook_id = @webhookId AND status = '{DeliveryStatus.Queued}'",
            new { webhookId, now }, transaction, cancellationToken: cancellationToken));

    /// <summary>Cancels a webhook's queued deliveries (all but <paramref name="exceptDeliveryId"/>) in the caller's transaction.</summary>
    public static Task<int> CancelQueuedAsync(DbConnection connection, DbTransaction transaction, string webhookId, long now, string? exceptDeliveryId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = '{DeliveryStatus.Cancelled}', next_attempt_at = NULL, updated_at = @now
            WHERE webhook_id = @webhookId AND status = '{DeliveryStatus.Queued}' AND id <> @except
            """,
            new { webhookId, now, except = exceptDeliveryId ?? string.Empty }, transaction, cancellationToken: cancellationToken));
}
