using Herald.Server.Api.Errors;
using Herald.Server.Dashboard;
using Microsoft.Net.Http.Headers;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Serves the dashboard: <c>GET /</c> is its page, <c>GET /assets/…</c> its scripts and styles. It is a client of
/// the public API (<c>/api/v1</c>) with the key the person signs in with, so it sees exactly what that key may see.
/// </summary>
internal static class DashboardEndpoints
{
    public const string AssetsPath = "/assets";

    /// <summary>
    /// Scripts, styles and API calls from this origin only; no inline script or style, no frames, no plugins, no
    /// form posts elsewhere. The page renders everything from the API with DOM methods, never as HTML.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapHeraldDashboard(this IEndpointRouteBuilder app)
    {
        var assets = app.ServiceProvider.GetRequiredService<DashboardAssets>();
        app.MapGet("/", (HttpContext context) => Serve(context, assets.Find("index.html")))
            .ExcludeFromDescription();
        app.MapGet(AssetsPath + "/{**path}", (string path, HttpContext context) => Serve(context, assets.Find(path)))
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, DashboardAsset? asset)
    {
        if (asset is null)
        {
            return TypedResults.NotFound(new ApiError(ApiError.NotFound, $"No dashboard file {context.Request.Path}."));
        }

        var headers = context.Response.GetTypedHeaders();
        var raw = context.Response.Headers;
        raw.ContentSecurityPolicy = ContentSecurityPolicy;
        raw.XContentTypeOptions = "nosniff";
        raw.XFrameOptions = "DENY";
        raw["Referrer-Policy"] = "no-referrer";
        raw["Cross-Origin-Opener-Policy"] = "same-origin";

        // Revalidate every time (cheap: a 304 on an unchanged ETag), so an upgraded server never mixes old and new files.
        headers.CacheControl = new CacheControlHeaderValue { NoCache = true, Private = true };
        headers.ETag = asset.ETag;
        var requestHeaders = context.Request.GetTypedHeaders();
        if (requestHeaders.IfNoneMatch.Any(tag => tag.Compare(asset.ETag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }
}
