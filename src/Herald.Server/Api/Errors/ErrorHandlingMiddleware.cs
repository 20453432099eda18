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
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, IOptions<JsonOptions> jsonOptions, ILogger<ErrorHandlingMiddleware> logger)
{
    private readonly JsonSerializerOptions _json = jsonOptions.Value.SerializerOptions;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            BodySizeLimit.Apply(context);
            await next(context);
            if (!context.Response.HasStarted)
            {
                await WriteBodilessFailureAsync(context);
            }
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
            StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed when context.GetEndpoint() is null =>
                WriteAsync(context, StatusCodes.Status404NotFound, new ApiError(ApiError.NotFound, $"No route {context.Request.Method} {context.Request.Path}; see /openapi/v1.json for the API.")),
            StatusCodes.Status413PayloadTooLarge => WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLarge(context)),
            StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType =>
                WriteAsync(context, StatusCodes.Status400BadRequest, new ApiError(ApiError.ValidationError, "The request could not be read; send a JSON object with Content-Type: application/json.")),
            _ => Task.CompletedTask,
        };
    }

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

        var wwwAuthenticate = context.Response.Headers.WWWAuthenticate;
        context.Response.Clear();
        if (wwwAuthenticate.Count > 0)
        {
            context.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(error, ApiJsonContext.Default.ApiError, contentType: "application/json", context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
