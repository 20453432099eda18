namespace Herald.Server.Auth;

/// <summary>
/// Why a request was refused by authentication or authorization, left on the request for the error middleware, which
/// writes the contract's error object (authentication only sets the status, so it need not know the error format).
/// </summary>
internal sealed record AuthFailure(string Message, string? WwwAuthenticate = null)
{
    public static AuthFailure? Get(HttpContext context) => context.Features.Get<AuthFailure>();

    public void Set(HttpContext context) => context.Features.Set(this);
}
