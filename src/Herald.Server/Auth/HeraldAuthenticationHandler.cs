using System.Text.Encodings.Web;
using Herald.Server.Api;
using Herald.Server.Hosting;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> on <c>/api/v1</c>: the admin key from configuration, or an account or
/// organization key (stored as a SHA-256 hash). Failures answer the contract's 401 error object.
/// </summary>
internal sealed class HeraldAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AdminKey adminKey,
    IHeraldStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Herald";

    private const string FailureItem = "herald:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Fail("The Authorization header must be `Bearer <key>`.");
        }

        var key = header[7..].Trim();
        if (adminKey.Matches(key))
        {
            return Success(new Caller(CallerKind.Admin));
        }

        var record = await store.FindApiKeyAsync(SecretHasher.Hash(key), Context.RequestAborted);
        if (record is not null && SecretHasher.FixedTimeEquals(key, record.KeyHash))
        {
            return Success(record.AccountId is not null
                ? new Caller(CallerKind.Account, AccountId: record.AccountId)
                : new Caller(CallerKind.Organization, OrgId: record.OrgId));
        }

        return Fail("The API key is not valid; check that it was copied whole.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureItem] as string
            ?? "This route needs an API key: send `Authorization: Bearer <key>`.";
        return ApiErrorMiddleware.WriteAsync(Context, ApiException.Unauthorized(message));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrorMiddleware.WriteAsync(Context, ApiException.Unauthorized("This key may not use this route; operator routes need the admin key."));

    private static AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));

    private AuthenticateResult Fail(string message)
    {
        Context.Items[FailureItem] = message;
        return AuthenticateResult.Fail(message);
    }
}
