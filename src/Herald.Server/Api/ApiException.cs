namespace Herald.Server.Api;

/// <summary>
/// A client error in the contract's format: <c>{"code","message","source"}</c>. Thrown by validation and
/// lookups, written by <see cref="ApiErrorMiddleware"/>; never carries secrets.
/// </summary>
internal sealed class ApiException(int statusCode, string code, string message, string? source = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public string? Field { get; } = source;

    public static ApiException Validation(string message, string? source = null) => new(400, "validation_error", message, source);

    public static ApiException NotFound(string message, string? source = null) => new(404, "not_found", message, source);

    public static ApiException Unauthorized(string message) => new(401, "unauthorized", message);

    public static ApiException Duplicate(string message, string? source = null) => new(409, "duplicate_request", message, source);

    public static ApiException PayloadTooLarge(long limit) =>
        new(413, "payload_too_large", $"The request body is larger than {limit / 1024} KiB; send fewer or smaller events per request.");
}

/// <summary>The error body every failing route answers with.</summary>
internal sealed record ApiError(string Code, string Message, string? Source = null);
