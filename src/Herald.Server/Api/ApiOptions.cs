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
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options) =>
        options.MaxRequestBodyBytes < 1024 || options.MaxBatchRequestBodyBytes < options.MaxRequestBodyBytes
            ? ValidateOptionsResult.Fail("Herald:Api:MaxRequestBodyBytes must be at least 1024 and no more than Herald:Api:MaxBatchRequestBodyBytes.")
            : ValidateOptionsResult.Success;
}
