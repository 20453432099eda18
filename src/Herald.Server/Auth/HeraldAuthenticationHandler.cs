using System.Text.Encodings.Web;
using Herald.Core;
using Herald.Core.Accounts;
using Herald.Core.Partners;
using Herald.Core.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> on <c>/api/v1</c>: the admin key from configuration, or an account or
/// organization key (stored as a SHA-256 hash). <c>Authorization: Basic client_id:client_secret</c> for partner apps
/// on <c>/partner-api/v1</c> (the secret stored as a SHA-256 hash). Which caller may use which route is decided by
/// the policies; failures answer the contract's 401 error object.
/// </summary>
internal sealed class HeraldAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AdminKey adminKey,
    IAccountStore accounts,
    IPartnerStore partners)
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

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return await AuthenticateAppAsync(header[6..].Trim());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Fail("The Authorization header must be `Bearer <key>`, or `Basic <client_id:client_secret>` for partner apps.");
        }

        var key = header[7..].Trim();
        if (adminKey.Matches(key))
        {
            return Success(Caller.Admin);
        }

        var record = await accounts.FindApiKeyAsync(SecretHasher.Hash(key), Context.RequestAborted);
        if (record is not null && SecretHasher.FixedTimeEquals(key, record.KeyHash))
        {
            return Success(record.AccountId is not null ? Caller.ForAccount(record.AccountId) : Caller.ForOrganization(record.OrgId!));
        }

        return Fail("The API key is not valid; check that it was copied whole.");
    }

    /// <summary>
    /// Decodes <c>client_id:client_secret</c> and checks the secret against the stored hash in constant time. An
    /// unknown client id is compared against a fixed hash too, so timing does not tell which client ids exist.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateAppAsync(string encoded)
    {
        const string malformed = "The Authorization header must be `Basic base64(client_id:client_secret)` with the app's credentials.";
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(encoded, buffer, out var length))
        {
            return Fail(malformed);
        }

        string decoded;
        try
        {
            decoded = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (ArgumentException)
        {
            return Fail(malformed);
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == decoded.Length - 1)
        {
            return Fail(malformed);
        }

        var clientId = decoded[..colon];
        var secret = decoded[(colon + 1)..];
        if (InputText.Problem(decoded) is not null)
        {
            // Client ids are printable; a control character (PostgreSQL cannot even look up U+0000) is a malformed header.
            return Fail(malformed);
        }

        var app = await partners.FindAppByClientIdAsync(clientId, Context.RequestAborted);
        var matches = SecretHasher.FixedTimeEquals(secret, app?.ClientSecretHash ?? UnknownClientHash);
        return app is not null && matches
            ? Success(Caller.ForApp(app.Id))
            : Fail("The client_id and client_secret do not match a partner app; check that both were copied whole.");
    }

    private static readonly byte[] UnknownClientHash = SecretHasher.Hash("herald:no-such-client");

    private bool IsPartnerRoute => Request.Path.StartsWithSegments(PartnerPathPrefix, StringComparison.OrdinalIgnoreCase);

    public const string PartnerPathPrefix = "/partner-api";

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureItem] as string
            ?? (IsPartnerRoute
                ? "This route needs the partner app's credentials: send HTTP Basic `client_id:client_secret`."
                : "This route needs an API key: send `Authorization: Bearer <key>`.");
        new AuthFailure(message, IsPartnerRoute ? "Basic realm=\"herald-partner-api\"" : null).Set(Context);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var message = IsPartnerRoute
            ? "Partner routes need a partner app's HTTP Basic `client_id:client_secret`, not an API key."
            : Context.User.FindFirst(CallerPrincipal.KindClaim)?.Value == nameof(CallerKind.App)
                ? "Partner apps use /partner-api/v1; /api/v1 needs an API key."
                : "This key may not use this route; operator routes need the admin key.";
        new AuthFailure(message).Set(Context);

        // The spec's code list has no 403: a key on the wrong route is unauthorized for that route.
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    private static AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));

    private AuthenticateResult Fail(string message)
    {
        Context.Items[FailureItem] = message;
        return AuthenticateResult.Fail(message);
    }
}
