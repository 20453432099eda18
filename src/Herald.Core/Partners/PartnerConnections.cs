using Herald.Core.Accounts;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Herald.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Core.Partners;

/// <summary>A disconnect as a tenant asks for it; members may be missing so that validation names what is wrong.</summary>
internal sealed record DisconnectRequest(string? AppId, string? AccountId = null, IReadOnlyList<string?>? AccountIds = null, string? OrgId = null);

/// <summary>What a disconnect did: the accounts it disconnected now (empty when all already were) and the event it emitted.</summary>
internal sealed record DisconnectResult(string AppId, IReadOnlyList<string> AccountIds, string? OrgId, string? EventId, StoredEvent? Event = null);

/// <summary>
/// Partner apps, and connecting accounts to them and disconnecting them. A disconnect is one action over one account,
/// a list of accounts or a whole organization; who may name what is decided here, and the store carries it out atomically.
/// </summary>
internal sealed partial class PartnerConnections(
    IPartnerStore store,
    IAccountStore accounts,
    IWebhookStore webhooks,
    TenantResolver tenants,
    WakeSignal dispatch,
    TimeProvider time,
    IOptions<EventOptions> eventOptions,
    ILogger<PartnerConnections> logger)
{
    public const int MaxAccountsPerDisconnect = 1000;

    /// <summary>Registers an app; the client secret is returned once and stored only as a hash.</summary>
    public async Task<(PartnerApp App, string ClientSecret)> CreateAppAsync(string? name, CancellationToken cancellationToken)
    {
        var secret = "hcs_" + Ids.RandomBase64Url(32);
        var app = new PartnerApp
        {
            Id = Ids.New(Ids.App),
            Name = AccountService.RequireName(name),
            ClientId = Ids.RandomBase64Url(16),
            ClientSecretHash = SecretHasher.Hash(secret),
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await store.CreateAppAsync(app, cancellationToken);
        return (app, secret);
    }

    /// <summary>
    /// Connections as the caller sees them. An app lists its own and may filter by account; a tenant's account_id
    /// narrows (and checks) its scope, and it may filter by app.
    /// </summary>
    public async Task<PagedList<PartnerConnection>> ListAsync(Caller caller, string? accountId, string? appId, string? status, Page page, CancellationToken cancellationToken)
    {
        if (status is not null && !ConnectionStatus.IsKnown(status))
        {
            throw HeraldException.Validation("status must be ACTIVE or DISCONNECTED.", "status");
        }

        var isApp = caller.Kind == CallerKind.App;
        var scope = isApp ? caller.Scope : await tenants.ResolveScopeAsync(caller, accountId, cancellationToken);
        var filter = new ConnectionFilter(isApp ? accountId : null, isApp ? null : appId, status);
        return await store.ListConnectionsAsync(scope, filter, page, cancellationToken);
    }

    public async Task<ConnectOutcome> ConnectAsync(Caller caller, string? appId, string? accountId, CancellationToken cancellationToken)
    {
        var account = await tenants.ResolveAccountAsync(caller, accountId, cancellationToken);
        var app = await RequireAppAsync(appId, cancellationToken);
        var outcome = await store.ConnectAsync(account.Id, app.Id, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (outcome.Changed)
        {
            LogConnected(logger, app.Id, account.Id);
        }

        return outcome;
    }

    /// <summary>
    /// Resolves what the caller disconnects and does it. <c>org_id</c> goes into the event whenever the action is
    /// taken at the organization level: by an organization key (with or without <c>account_ids</c>) or by the admin
    /// naming <c>org_id</c>. An account key, or the admin naming accounts only, emits no <c>org_id</c>, even for
    /// accounts that belong to an organization.
    /// </summary>
    public async Task<DisconnectResult> DisconnectAsync(Caller caller, DisconnectRequest request, CancellationToken cancellationToken)
    {
        var app = await RequireAppAsync(request.AppId, cancellationToken);
        var named = NamedAccounts(request);
        string? orgId;
        OwnerScope reach;
        switch (caller.Kind)
        {
            case CallerKind.Account:
                if (request.OrgId is not null)
                {
                    throw HeraldException.Validation("org_id needs an organization key; an account key disconnects its own account.", "org_id");
                }

                named ??= [caller.AccountId!];
                orgId = null;
                reach = caller.Scope;
                break;
            case CallerKind.Organization:
                if (request.OrgId is not null && request.OrgId != caller.OrgId)
                {
                    throw HeraldException.NotFound($"No organization {request.OrgId}.", "org_id");
                }

                orgId = caller.OrgId;
                reach = OwnerScope.Organization(orgId!);
                break;
            case CallerKind.Admin:
                if (request.OrgId is null && named is null)
                {
                    throw HeraldException.Validation("Name what to disconnect with the admin key: account_id, account_ids or org_id.", "account_ids");
                }

                if (request.OrgId is not null && await accounts.GetOrganizationAsync(request.OrgId, cancellationToken) is null)
                {
                    throw HeraldException.NotFound($"No organization {request.OrgId}.", "org_id");
                }

                orgId = request.OrgId;
                reach = orgId is null ? OwnerScope.Everything : OwnerScope.Organization(orgId);
                break;
            default:
                throw HeraldException.Unauthorized("Partner apps cannot disconnect accounts; the account or its organization does.");
        }

        if (named is not null)
        {
            await RequireAccountsAsync(named, reach, request.AccountIds is not null, cancellationToken);
        }

        // The partner event goes to the app's webhooks only; read them before the transaction (a webhook disabled
        // meanwhile is caught when its delivery is claimed).
        var targets = await webhooks.GetAppWebhooksAsync(app.Id, cancellationToken);
        var now = time.GetUtcNow();
        var outcome = await store.DisconnectAsync(
            new DisconnectCommand(app.Id, named, orgId),
            disconnected =>
            {
                var stored = DisconnectedEvent.Build(app.Id, Order(disconnected, named), orgId, now, eventOptions.Value.DefaultVersion);
                return new PendingEvent(stored, FanOut.Deliveries(stored, targets));
            },
            now.ToUnixTimeMilliseconds(),
            cancellationToken);
        if (outcome.Event is null)
        {
            LogNothingToDisconnect(logger, app.Id);
            return new DisconnectResult(app.Id, [], orgId, null);
        }

        dispatch.Notify();
        var accountIds = Order(outcome.AccountIds, named);
        LogDisconnected(logger, app.Id, accountIds.Count, orgId, outcome.CancelledDeliveries, outcome.Event.Event.Id);
        return new DisconnectResult(app.Id, accountIds, orgId, outcome.Event.Event.Id, outcome.Event.Event);
    }

    private async Task<PartnerApp> RequireAppAsync(string? appId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(appId))
        {
            throw HeraldException.Validation("app_id is required: the partner app (appid_…) to connect or disconnect.", "app_id");
        }

        return await store.GetAppAsync(appId, cancellationToken) ?? throw HeraldException.NotFound($"No app {appId}.", "app_id");
    }

    private static List<string>? NamedAccounts(DisconnectRequest request)
    {
        if (request.AccountId is not null && request.AccountIds is not null)
        {
            throw HeraldException.Validation("Give account_id or account_ids, not both.", "account_ids");
        }

        if (request.AccountId is not null)
        {
            return request.AccountId.Length == 0
                ? throw HeraldException.Validation("account_id must not be empty.", "account_id")
                : [request.AccountId];
        }

        if (request.AccountIds is null)
        {
            return null;
        }

        if (request.AccountIds.Count is 0 or > MaxAccountsPerDisconnect)
        {
            throw HeraldException.Validation(
                $"account_ids must hold 1 to {MaxAccountsPerDisconnect} account ids; omit it with an organization key to disconnect the whole organization.",
                "account_ids");
        }

        var ids = new List<string>(request.AccountIds.Count);
        for (var i = 0; i < request.AccountIds.Count; i++)
        {
            if (string.IsNullOrEmpty(request.AccountIds[i]))
            {
                throw HeraldException.Validation("Each account id must be a non-empty string.", $"account_ids[{i}]");
            }

            ids.Add(request.AccountIds[i]!);
        }

        return ids.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every named account must be within reach (one query); the first that is not is "not found", exactly as a missing one.</summary>
    private async Task RequireAccountsAsync(List<string> accountIds, OwnerScope scope, bool namedAsList, CancellationToken cancellationToken)
    {
        var found = (await accounts.GetAccountsAsync(accountIds, scope, cancellationToken)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var missing = accountIds.FindIndex(id => !found.Contains(id));
        if (missing >= 0)
        {
            throw HeraldException.NotFound($"No account {accountIds[missing]}.", namedAsList ? $"account_ids[{missing}]" : "account_id");
        }
    }

    /// <summary>The order a caller gave when it named accounts, else ordinal: stable, whatever order the database returned.</summary>
    private static List<string> Order(IReadOnlyList<string> disconnected, IReadOnlyList<string>? named) =>
        named is null
            ? [.. disconnected.Order(StringComparer.Ordinal)]
            : [.. named.Where(id => disconnected.Contains(id, StringComparer.Ordinal))];

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} connected app {AppId}")]
    private static partial void LogConnected(ILogger logger, string appId, string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} disconnected from {AccountCount} account(s) (organization {OrgId}); {CancelledDeliveries} queued deliveries cancelled; event {EventId} emitted")]
    private static partial void LogDisconnected(ILogger logger, string appId, int accountCount, string? orgId, int cancelledDeliveries, string eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnect of app {AppId} found no active connection; nothing emitted")]
    private static partial void LogNothingToDisconnect(ILogger logger, string appId);
}
