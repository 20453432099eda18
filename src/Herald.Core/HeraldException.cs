namespace Herald.Core;

/// <summary>Why a domain operation refused its input; the API maps each kind to one HTTP status and error code.</summary>
internal enum HeraldErrorKind
{
    /// <summary>The input is malformed or breaks a rule (400 <c>validation_error</c>).</summary>
    Validation,

    /// <summary>The object does not exist or belongs to another tenant (404 <c>not_found</c>).</summary>
    NotFound,

    /// <summary>The caller may not do this (401 <c>unauthorized</c>; the spec has no 403).</summary>
    Unauthorized,

    /// <summary>The id exists with other content (409 <c>duplicate_request</c>).</summary>
    Conflict,

    /// <summary>Something is larger than allowed (413 <c>payload_too_large</c>).</summary>
    PayloadTooLarge,
}

/// <summary>
/// A domain rule refused the input. The message is written for the caller and says how to fix the problem;
/// <see cref="Field"/> names the offending field (<c>events[2].account_id</c>) when there is one. Never carries secrets.
/// </summary>
internal sealed class HeraldException(HeraldErrorKind kind, string message, string? field = null) : Exception(message)
{
    public HeraldErrorKind Kind { get; } = kind;

    public string? Field { get; } = field;

    public static HeraldException Validation(string message, string? field = null) => new(HeraldErrorKind.Validation, message, field);

    public static HeraldException NotFound(string message, string? field = null) => new(HeraldErrorKind.NotFound, message, field);

    public static HeraldException Unauthorized(string message) => new(HeraldErrorKind.Unauthorized, message);

    public static HeraldException Conflict(string message, string? field = null) => new(HeraldErrorKind.Conflict, message, field);

    public static HeraldException PayloadTooLarge(string message, string? field = null) => new(HeraldErrorKind.PayloadTooLarge, message, field);
}
