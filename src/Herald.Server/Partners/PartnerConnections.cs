using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Hosting;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Partners;

/// <summary>
/// Connecting accounts to partner apps and disconnecting them. A disconnect is one action over one account, a list
/// of accounts or a whole organization; it is decided here who may name what, and carried out atomically by
/// <see cref="IPartnerStore.DisconnectAsync"/>.
/// </summary>
internal sealed partial class PartnerConnections(
    IHeraldStore store, TenantResolver tenants, DispatchSignal signal, TimeProvider time, IOptions<HeraldServerOptions> options, ILogger<PartnerConnections> logger)
{
    public const int MaxAccountsPerDisconnect = 1000;

    public async Task<ConnectOutcome> ConnectAsync(Caller caller, CreateConnectionRequest request, CancellationToken cancellationToken)
    {
        var account = await tenants.ResolveAccountAsync(caller, request.AccountId, cancellationToken);
        var app = await RequireAppAsync(request.AppId, cancellationToken);
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
    public async Task<DisconnectResponse> DisconnectAsync(Caller caller, DisconnectRequest request, CancellationToken cancellationToken)
    {
        var app = await RequireAppAsync(request.AppId, cancellationToken);
        var named = NamedAccounts(request);
        string? orgId;
        switch (caller.Kind)
        {
            case CallerKind.Account:
                if (request.OrgId is not null)
                {
                    throw ApiException.Validation("org_id needs an organization key; an account key disconnects its own account.", "org_id");
                }

                await RequireAccountsAsync(named ?? [caller.AccountId!], caller.Scope, request.AccountIds is not null, cancellationToken);
                named ??= [caller.AccountId!];
                orgId = null;
                break;
            case CallerKind.Organization:
                if (request.OrgId is not null && request.OrgId != caller.OrgId)
                {
                    throw ApiException.NotFound($"No organization {request.OrgId}.", "org_id");
                }

                orgId = caller.OrgId;
                break;
            case CallerKind.Admin:
                if (request.OrgId is null && named is null)
                {
                    throw ApiException.Validation("Name what to disconnect with the admin key: account_id, account_ids or org_id.", "account_ids");
                }

                if (request.OrgId is not null && await store.GetOrganizationAsync(request.OrgId, cancellationToken) is null)
                {
                    throw ApiException.NotFound($"No organization {request.OrgId}.", "org_id");
                }

                orgId = request.OrgId;
                break;
            default:
                throw ApiException.Unauthorized("Partner apps cannot disconnect accounts; the account or its organization does.");
        }

        if (named is not null && caller.Kind != CallerKind.Account)
        {
            await RequireAccountsAsync(named, orgId is null ? OwnerScope.Everything : OwnerScope.Organization(orgId), request.AccountIds is not null, cancellationToken);
        }

        var now = time.GetUtcNow();
        var command = new DisconnectCommand(app.Id, named, orgId);
        var outcome = await store.DisconnectAsync(
            command,
            disconnected => DisconnectedEvent.Build(app.Id, Order(disconnected, named), orgId, now, options.Value.DefaultEventVersion),
            now.ToUnixTimeMilliseconds(),
            cancellationToken);
        if (outcome.Event is null)
        {
            LogNothingToDisconnect(logger, app.Id);
            return new DisconnectResponse(app.Id, [], orgId, null);
        }

        signal.Notify();
        var accountIds = Order(outcome.AccountIds, named);
        LogDisconnected(logger, app.Id, accountIds.Count, orgId, outcome.CancelledDeliveries, outcome.Event.Event.Id);
        return new DisconnectResponse(app.Id, accountIds, orgId, outcome.Event.Event.Id);
    }

    private async Task<AppRecord> RequireAppAsync(string? appId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(appId))
        {
            throw ApiException.Validation("app_id is required: the partner app (appid_…) to connect or disconnect.", "app_id");
        }

        return await store.GetAppAsync(appId, cancellationToken) ?? throw ApiException.NotFound($"No app {appId}.", "app_id");
    }

    private static List<string>? NamedAccounts(DisconnectRequest request)
    {
        if (request.AccountId is not null && request.AccountIds is not null)
        {
            throw ApiException.Validation("Give account_id or account_ids, not both.", "account_ids");
        }

        if (request.AccountId is not null)
        {
            return string.IsNullOrEmpty(request.AccountId)
                ? throw ApiException.Validation("account_id must not be empty.", "account_id")
                : [request.AccountId];
        }

        if (request.AccountIds is null)
        {
            return null;
        }

        if (request.AccountIds.Count is 0 or > MaxAccountsPerDisconnect)
        {
            throw ApiException.Validation(
                $"account_ids must hold 1 to {MaxAccountsPerDisconnect} account ids; omit it with an organization key to disconnect the whole organization.",
                "account_ids");
        }

        var index = request.AccountIds.FindIndex(string.IsNullOrEmpty);
        return index >= 0
            ? throw ApiException.Validation("Each account id must be a non-empty string.", $"account_ids[{index}]")
            : request.AccountIds.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every named account must be within reach; the first that is not answers 404, exactly as a missing one.</summary>
    private async Task RequireAccountsAsync(List<string> accountIds, OwnerScope scope, bool namedAsList, CancellationToken cancellationToken)
    {
        for (var i = 0; i < accountIds.Count; i++)
        {
            if (await store.GetAccountAsync(accountIds[i], scope, cancellationToken) is null)
            {
                throw ApiException.NotFound($"No account {accountIds[i]}.", namedAsList ? $"account_ids[{i}]" : "account_id");
            }
        }
    }

    /// <summary>The order a caller gave when it named accounts, else ordinal: stable, whatever order the database returned.</summary>
    private static List<string> Order(IReadOnlyList<string> disconnected, IReadOnlyList<string>? named) =>
        named is null
            ? disconnected.Order(StringComparer.Ordinal).ToList()
            : named.Where(disconnected.Contains).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} connected app {AppId}")]
    private static partial void LogConnected(ILogger logger, string appId, string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} disconnected from {AccountCount} account(s) (organization {OrgId}); {CancelledDeliveries} queued deliveries cancelled; event {EventId} emitted")]
    private static partial void LogDisconnected(ILogger logger, string appId, int accountCount, string? orgId, int cancelledDeliveries, string eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnect of app {AppId} found no active connection; nothing emitted")]
    private static partial void LogNothingToDisconnect(ILogger logger, string appId);
}
