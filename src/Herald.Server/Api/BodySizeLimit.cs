namespace Herald.Server.Api;

/// <summary>
/// A route's own request body limit, set on the request before the body is read (the server-wide limit applies
/// elsewhere): <c>batch_create</c> takes up to 1000 events, more than the 256 KiB every other route allows.
/// </summary>
internal sealed record BodySizeLimit(long MaxBytes)
{
    public static void Apply(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<BodySizeLimit>() is { } limit
            && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit.MaxBytes;
        }
    }
}
