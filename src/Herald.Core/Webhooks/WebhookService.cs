using Herald.Core.Accounts;
using Herald.Core.Tenants;
using Herald.Internal;
using Microsoft.Extensions.Options;

namespace Herald.Core.Webhooks;

/// <summary>A webhook as its creator describes it; members may be missing so that validation names what is wrong.</summary>
internal sealed record WebhookDraft(string? Url, IReadOnlyList<string?>? Events, bool? AllEvents, string? Secret, string? Description, string? AccountId);

/// <summary>Changes to a webhook; a null member stays as it is.</summary>
internal sealed record WebhookChanges(string? Url, IReadOnlyList<string?>? Events, bool? AllEvents, string? Description, string? Status);

/// <summary>A rotated secret and when it starts signing.</summary>
internal sealed record RotatedSecret(string WebhookId, string Secret, long ActivatesAt);

/// <summary>Webhooks of accounts (API keys) and of partner apps (their credentials): create, change, rotate, delete.</summary>
internal sealed class WebhookService(
    IWebhookStore store,
    TenantResolver tenants,
    WakeSignal dispatch,
    TimeProvider time,
    IOptions<WebhookOptions> webhookOptions)
{
    public const string DisabledByUser = "disabled by user";
    public const string Deleted = "deleted";
    public static readonly TimeSpan DefaultRotationDelay = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxRotationDelay = TimeSpan.FromDays(30);

    private bool RequireHttps => webhookOptions.Value.RequireHttps ?? true;

    public async Task<Webhook> CreateAsync(Caller caller, WebhookDraft draft, CancellationToken cancellationToken)
    {
        string? accountId = null;
        if (caller.Kind != CallerKind.App)
        {
            accountId = (await tenants.ResolveAccountAsync(caller, draft.AccountId, cancellationToken)).Id;
        }
        else if (draft.AccountId is not null)
        {
            throw HeraldException.Validation("account_id is not accepted here: a partner webhook receives the events of every account connected to the app.", "account_id");
        }

        var url = WebhookRules.ValidateUrl(draft.Url, RequireHttps);
        var (events, allEvents) = WebhookRules.ValidateSubscription(draft.Events, draft.AllEvents, isAppWebhook: accountId is null);
        var limit = webhookOptions.Value.MaxWebhooksPerOwner;
        var owner = accountId is not null ? OwnerScope.Account(accountId) : OwnerScope.App(caller.AppId!);
        if (await store.CountAsync(owner, cancellationToken) >= limit)
        {
            // Checked before the insert, so creates racing each other may end a few over; the limit is a guard, not a quota.
            throw HeraldException.Validation(
                $"{(accountId is not null ? $"Account {accountId}" : "This app")} already has {limit} webhooks, the most allowed; delete one it no longer needs (one webhook may subscribe to many events, or all_events).");
        }

        var now = Now;
        var webhook = new Webhook
        {
            Id = Ids.New(Ids.Webhook),
            AccountId = accountId,
            AppId = caller.AppId,
            Url = url,
            Events = events,
            AllEvents = allEvents,
            Secret = WebhookRules.ValidateSecret(draft.Secret),
            Status = WebhookStatus.Enabled,
            Description = WebhookRules.ValidateDescription(draft.Description),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateAsync(webhook, cancellationToken);
        return webhook;
    }

    public async Task<PagedList<Webhook>> ListAsync(Caller caller, string? accountId, Page page, CancellationToken cancellationToken) =>
        await store.ListAsync(await tenants.ResolveScopeAsync(caller, accountId, cancellationToken), page, cancellationToken);

    public async Task<Webhook> GetAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, caller.Scope, cancellationToken) ?? throw HeraldException.NotFound($"No webhook {id}.", "id");

    /// <summary>
    /// Applies the changes. A webhook disabled by hand has its queued deliveries cancelled; one enabled again resumes the
    /// deliveries kept paused while it was disabled automatically.
    /// </summary>
    public async Task<Webhook> UpdateAsync(Caller caller, string id, WebhookChanges changes, CancellationToken cancellationToken)
    {
        var webhook = await GetAsync(caller, id, cancellationToken);
        var updated = webhook with { UpdatedAt = Now };
        if (changes.Url is not null)
        {
            updated = updated with { Url = WebhookRules.ValidateUrl(changes.Url, RequireHttps) };
        }

        if (changes.Events is not null || changes.AllEvents is not null)
        {
            var (events, allEvents) = WebhookRules.ValidateSubscription(changes.Events, changes.AllEvents, webhook.AppId is not null);
            updated = updated with { Events = events, AllEvents = allEvents };
        }

        if (changes.Description is not null)
        {
            updated = updated with { Description = WebhookRules.ValidateDescription(changes.Description) };
        }

        updated = changes.Status switch
        {
            null => updated,
            WebhookStatus.Enabled => updated with { Status = WebhookStatus.Enabled, DisabledReason = null, FailingSince = null },
            WebhookStatus.Disabled => updated with { Status = WebhookStatus.Disabled, DisabledReason = webhook.IsEnabled ? DisabledByUser : webhook.DisabledReason },
            _ => throw HeraldException.Validation("status must be ENABLED or DISABLED.", "status"),
        };

        var queued = (webhook.IsEnabled, updated.IsEnabled) switch
        {
            (true, false) => QueuedDeliveries.Cancel,
            (false, true) => QueuedDeliveries.Resume,
            _ => QueuedDeliveries.Keep,
        };
        await store.UpdateAsync(updated, queued, cancellationToken);
        if (queued == QueuedDeliveries.Resume)
        {
            dispatch.Notify();
        }

        return updated;
    }

    /// <summary>Hides the webhook and cancels its queued deliveries; its delivery log stays readable.</summary>
    public async Task<Webhook> DeleteAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var webhook = await GetAsync(caller, id, cancellationToken);
        await store.DeleteAsync(webhook.Id, caller.Scope, Now, cancellationToken);
        return webhook with { Status = WebhookStatus.Disabled, DisabledReason = Deleted };
    }

    /// <summary>
    /// Makes a new secret. The current one keeps signing until the new one activates (default after 24 h), so receivers
    /// can install both first; a webhook without a secret, or a zero delay, switches at once.
    /// </summary>
    public async Task<RotatedSecret> RotateSecretAsync(Caller caller, string id, long? activateAfterSeconds, CancellationToken cancellationToken)
    {
        var delaySeconds = activateAfterSeconds ?? (long)DefaultRotationDelay.TotalSeconds;
        if (delaySeconds < 0 || delaySeconds > (long)MaxRotationDelay.TotalSeconds)
        {
            throw HeraldException.Validation($"activate_after_seconds must be from 0 to {(long)MaxRotationDelay.TotalSeconds} (30 days).", "activate_after_seconds");
        }

        var webhook = await GetAsync(caller, id, cancellationToken);
        var now = Now;
        var current = webhook.SigningSecret(now);
        var next = WebhookRules.NewSecret();
        var activatesAt = now + (delaySeconds * 1000);
        var rotated = current is null || delaySeconds == 0
            ? webhook with { Secret = next, NextSecret = null, NextSecretAt = null, UpdatedAt = now }
            : webhook with { Secret = current, NextSecret = next, NextSecretAt = activatesAt, UpdatedAt = now };
        await store.UpdateAsync(rotated, QueuedDeliveries.Keep, cancellationToken);
        return new RotatedSecret(webhook.Id, next, current is null || delaySeconds == 0 ? now : activatesAt);
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();
}
