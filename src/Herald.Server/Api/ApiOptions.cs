using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>Limits of the HTTP API. Bound from <c>Herald:Api</c>.</summary>
internal sealed class ApiOptions
{
    public const string SectionName = "Herald:Api";

    /// <summary>Largest request body on every route but <c>batch_create</c>; larger ones answer 413. Default 256 KiB (the spec's).</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Largest <c>events/batch_create</c> body. Default 16 MiB: room for the spec's 1000 events per batch (each still at
    /// most 256 KiB), which the 256 KiB limit could not hold.
    /// </summary>
    public long MaxBatchRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Longest request target (path and query) in characters; longer ones answer 414 in the error format. Default 8192.</summary>
    public int MaxUrlLength { get; set; } = 8192;

    /// <summary>Largest total size of the request headers in bytes; larger ones answer 431 in the error format. Default 32 KiB.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>Most request headers; more answer 431 in the error format. Default 100.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        if (options.MaxRequestBodyBytes < 1024 || options.MaxBatchRequestBodyBytes < options.MaxRequestBodyBytes)
        {
            return ValidateOptionsResult.Fail("Herald:Api:MaxRequestBodyBytes must be at least 1024 and no more than Herald:Api:MaxBatchRequestBodyBytes.");
        }

        return options.MaxUrlLength is < 256 or > 1024 * 1024 || options.MaxRequestHeadersBytes is < 4096 or > 1024 * 1024 || options.MaxRequestHeaderCount is < 16 or > 10_000
            ? ValidateOptionsResult.Fail("Herald:Api:MaxUrlLength must be 256 to 1048576, MaxRequestHeadersBytes 4096 to 1048576 and MaxRequestHeaderCount 16 to 10000.")
            : ValidateOptionsResult.Success;
    }
}
