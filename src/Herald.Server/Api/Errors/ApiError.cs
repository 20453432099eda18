using Herald.Core;

namespace Herald.Server.Api.Errors;

/// <summary>The error body of every failing route: <c>{"code","message","source"}</c>, <c>source</c> only for field errors.</summary>
internal sealed record ApiError(string Code, string Message, string? Source = null)
{
    public const string ValidationError = "validation_error";
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string DuplicateRequest = "duplicate_request";
    public const string PayloadTooLarge = "payload_too_large";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";

    /// <summary>The status and body for a domain error.</summary>
    public static (int Status, ApiError Error) From(HeraldException exception) => exception.Kind switch
    {
        HeraldErrorKind.Validation => (StatusCodes.Status400BadRequest, new ApiError(ValidationError, exception.Message, exception.Field)),
        HeraldErrorKind.NotFound => (StatusCodes.Status404NotFound, new ApiError(NotFound, exception.Message, exception.Field)),
        HeraldErrorKind.Unauthorized => (StatusCodes.Status401Unauthorized, new ApiError(Unauthorized, exception.Message, exception.Field)),
        HeraldErrorKind.Conflict => (StatusCodes.Status409Conflict, new ApiError(DuplicateRequest, exception.Message, exception.Field)),
        HeraldErrorKind.PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, new ApiError(PayloadTooLarge, exception.Message, exception.Field)),
        _ => (StatusCodes.Status500InternalServerError, new ApiError(InternalError, "Herald could not complete the request; it is logged on the server. Retry later.")),
    };
}
