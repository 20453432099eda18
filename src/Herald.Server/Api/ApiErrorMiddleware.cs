using Microsoft.Extensions.Options;
using Herald.Server.Hosting;

namespace Herald.Server.Api;

/// <summary>
/// Turns every failure into the contract's error object: <see cref="ApiException"/> as given, malformed or
/// oversized bodies as 400/413, unmatched routes as 404 and anything unexpected as a bare 500 (logged, no
/// details sent).
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger, IOptions<HeraldServerOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (context.Response is { HasStarted: false, StatusCode: 404 or 405 } && context.GetEndpoint() is null)
            {
                await WriteAsync(context, new ApiException(404, "not_found", $"No route {context.Request.Method} {context.Request.Path}; see /openapi/v1.json for the API."));
            }
        }
        catch (ApiException exception)
        {
            await WriteAsync(context, exception);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteAsync(context, ApiException.PayloadTooLarge(options.Value.MaxRequestBodyBytes));
        }
        catch (BadHttpRequestException exception)
        {
            await WriteAsync(context, ApiException.Validation($"The request could not be read: {exception.Message}"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception exception)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            await WriteAsync(context, new ApiException(500, "internal_error", "Herald could not complete the request; it is logged on the server. Retry later."));
        }
    }

    internal static async Task WriteAsync(HttpContext context, ApiException exception, string? wwwAuthenticate = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = exception.StatusCode;
        if (wwwAuthenticate is not null)
        {
            context.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        }

        await context.Response.WriteAsJsonAsync(new ApiError(exception.Code, exception.Message, exception.Field), ApiJson.Context.ApiError);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
