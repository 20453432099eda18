using System.Text.Json;
using Herald.Core;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api.Errors;

/// <summary>
/// Turns every failure into the contract's error object: domain errors as their kind says, unreadable or oversized
/// bodies as 400/413, refused authentication as 401, unmatched routes as 404, and anything unexpected as a bare 500
/// (logged, no details sent).
/// </summary>
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, RequestGuard guard, IOptions<JsonOptions> jsonOptions, ILogger<ErrorHandlingMiddleware> logger)
{
    private readonly JsonSerializerOptions _json = jsonOptions.Value.SerializerOptions;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            BodySizeLimit.Apply(context);
            await guard.CheckAsync(context);
            await next(context);
            if (!context.Response.HasStarted)
            {
                await WriteBodilessFailureAsync(context);
            }
        }
        catch (RequestRejectedException exception)
        {
            await WriteAsync(context, exception.Status, exception.Error);
        }
        catch (HeraldException exception)
        {
            var (status, error) = ApiError.From(exception);
            await WriteAsync(context, status, error);
        }
        catch (BadHttpRequestException exception)
        {
            var (status, error) = Describe(context, exception);
            await WriteAsync(context, status, error);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception exception)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, new ApiError(ApiError.InternalError, "Herald could not complete the request; it is logged on the server. Retry later."));
        }
    }

    /// <summary>Responses that other parts of the pipeline ended with a status only: give them the error body.</summary>
    private static Task WriteBodilessFailureAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            var failure = AuthFailure.Get(context) ?? new AuthFailure("This route needs an API key: send `Authorization: Bearer <key>`.");
            if (failure.WwwAuthenticate is not null)
            {
                response.Headers.WWWAuthenticate = failure.WwwAuthenticate;
            }

            return WriteAsync(context, StatusCodes.Status401Unauthorized, new ApiError(ApiError.Unauthorized, failure.Message));
        }

        return response.StatusCode switch
        {
            // A known path with another method: 404 like any route that does not exist (the spec's codes pair not_found
            // with 404 and have no 405), with the Allow header naming the methods the path takes.
            StatusCodes.Status405MethodNotAllowed =>
                WriteAsync(context, StatusCodes.Status404NotFound, new ApiError(ApiError.NotFound,
                    $"No route {context.Request.Method} {context.Request.Path}; this path takes {AllowedMethods(context)}. See /openapi/v1.json for the API.")),
            StatusCodes.Status404NotFound when context.GetEndpoint() is null =>
                WriteAsync(context, StatusCodes.Status404NotFound, new ApiError(ApiError.NotFound, $"No route {context.Request.Method} {context.Request.Path}; see /openapi/v1.json for the API.")),
            StatusCodes.Status429TooManyRequests =>
                WriteAsync(context, StatusCodes.Status429TooManyRequests, new ApiError(ApiError.RateLimited,
                    $"Too many requests with this key; retry after {(response.Headers.RetryAfter.Count > 0 ? $"{response.Headers.RetryAfter} s" : "a moment")}.")),
            StatusCodes.Status413PayloadTooLarge => WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge(context)),
            StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType =>
                WriteAsync(context, StatusCodes.Status400BadRequest, new ApiError(ApiError.ValidationError, "The request could not be read; send a JSON object with Content-Type: application/json.")),
            _ => Task.CompletedTask,
        };
    }

    private static string AllowedMethods(HttpContext context) =>
        context.Response.Headers.Allow.Count > 0 ? string.Join(", ", context.Response.Headers.Allow.ToString().Split(',', StringSplitOptions.TrimEntries)) : "other methods";

    private static ApiError TooLarge(HttpContext context)
    {
        var limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        var size = limit is { } bytes ? $"{bytes / 1024} KiB" : "the limit";
        return new ApiError(ApiError.PayloadTooLarge, $"The request body is larger than {size}; send fewer or smaller events per request.");
    }

    private (int Status, ApiError Error) Describe(HttpContext context, BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (StatusCodes.Status413PayloadTooLarge, TooLarge(context));
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (StatusCodes.Status400BadRequest, new ApiError(ApiError.ValidationError, "The request body must be JSON: send Content-Type: application/json."));
        }

        if (exception.InnerException is JsonException json)
        {
            var requestType = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            return (StatusCodes.Status400BadRequest, JsonBodyErrors.Describe(json, requestType, _json));
        }

        // An implicit body that was empty, or a request Kestrel could not read.
        var empty = context.Request.ContentLength == 0 || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false;
        var message = empty
            ? "The request body must be a JSON object; it was empty."
            : "The request could not be read; send a JSON object with Content-Type: application/json.";
        return (StatusCodes.Status400BadRequest, new ApiError(ApiError.ValidationError, message));
    }

    private static Task WriteAsync(HttpContext context, int status, ApiError error)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        // Clear() drops headers that belong to the error: keep the challenge, the methods a path takes and when to retry.
        var headers = context.Response.Headers;
        var (wwwAuthenticate, allow, retryAfter) = (headers.WWWAuthenticate, headers.Allow, headers.RetryAfter);
        context.Response.Clear();
        if (wwwAuthenticate.Count > 0)
        {
            headers.WWWAuthenticate = wwwAuthenticate;
        }

        if (allow.Count > 0)
        {
            headers.Allow = allow;
        }

        if (retryAfter.Count > 0)
        {
            headers.RetryAfter = retryAfter;
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(error, ApiJsonContext.Default.ApiError, contentType: "application/json", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
