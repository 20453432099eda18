using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api.Errors;

/// <summary>
/// Checks what every route receives before any route code runs, so that each rule holds everywhere by construction:
/// the URL and header sizes (answered 414/431 in the error format, Kestrel's own limits being set well above them),
/// the text rule on every query and route value (<see cref="InputText"/>), and a JSON body that is valid UTF-8 (it
/// would otherwise be read with U+FFFD in place of the bad bytes). The body is buffered once for that check; its size
/// limit is enforced while it is read.
/// </summary>
internal sealed class RequestGuard(IOptions<ApiOptions> options)
{
    private readonly ApiOptions _options = options.Value;

    /// <summary>Throws <see cref="RequestRejectedException"/> or <see cref="HeraldException"/> for a request no route should see.</summary>
    public async Task CheckAsync(HttpContext context)
    {
        CheckSizes(context);
        CheckText(context);
        await CheckBodyAsync(context);
    }

    private void CheckSizes(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        if (target.Length > _options.MaxUrlLength)
        {
            throw new RequestRejectedException(StatusCodes.Status414UriTooLong, new ApiError(ApiError.ValidationError,
                $"The URL is {target.Length.ToString(CultureInfo.InvariantCulture)} characters long; at most {_options.MaxUrlLength.ToString(CultureInfo.InvariantCulture)} are accepted. Send long filters in fewer parameters."));
        }

        long headerBytes = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n"
            }
        }

        if (headerBytes > _options.MaxRequestHeadersBytes || context.Request.Headers.Count > _options.MaxRequestHeaderCount)
        {
            throw new RequestRejectedException(StatusCodes.Status431RequestHeaderFieldsTooLarge, new ApiError(ApiError.ValidationError,
                $"The request headers are too large: at most {_options.MaxRequestHeaderCount.ToString(CultureInfo.InvariantCulture)} headers and {_options.MaxRequestHeadersBytes.ToString(CultureInfo.InvariantCulture)} bytes are accepted."));
        }
    }

    private static void CheckText(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text)
            {
                InputText.Require(text, name);
            }
        }

        foreach (var (name, values) in context.Request.Query)
        {
            InputText.Require(name, "query parameter name");
            foreach (var value in values)
            {
                InputText.Require(value, name);
            }
        }
    }

    private static async Task CheckBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is null || request.ContentLength == 0 || !request.HasJsonContentType()
            || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return;
        }

        // The declared length only sizes the first buffer, capped: the size limit is enforced while reading, not trusted from a header.
        var buffer = new MemoryStream(request.ContentLength is { } length and > 0 ? (int)Math.Min(length, 64 * 1024) : 4096);
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (FirstInvalidUtf8(bytes) is { } offset)
        {
            var path = JsonPathAt(bytes, offset);
            throw HeraldException.Validation(
                $"The request body is not valid UTF-8: byte {offset.ToString(CultureInfo.InvariantCulture)}{(path is null ? string.Empty : $", in {path},")} starts an invalid sequence. Send the body as UTF-8.",
                path);
        }

        buffer.Position = 0;
        request.Body = buffer;
        context.Response.RegisterForDispose(buffer);
    }

    private static int? FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }

        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    /// <summary>The API spelling (<c>data.object.name</c>, <c>events[2].id</c>) of the JSON value or key holding byte <paramref name="offset"/>.</summary>
    internal static string? JsonPathAt(ReadOnlySpan<byte> json, int offset)
    {
        var steps = new List<object>(); // the path to the current container: names and indexes
        var containers = new List<(bool IsArray, int Count)>();
        string? pendingName = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            while (reader.Read())
            {
                var covers = reader.TokenStartIndex <= offset && offset < reader.BytesConsumed;
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (covers)
                    {
                        return Format(steps); // a bad key: name the object that holds it
                    }

                    pendingName = Encoding.UTF8.GetString(reader.ValueSpan);

                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    containers.RemoveAt(containers.Count - 1);
                    if (steps.Count > 0 && containers.Count > 0)
                    {
                        steps.RemoveAt(steps.Count - 1);
                    }

                    continue;
                }

                object? step = null;
                if (containers.Count > 0)
                {
                    var (isArray, count) = containers[^1];
                    step = isArray ? count : pendingName;
                    containers[^1] = (isArray, count + 1);
                }

                pendingName = null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (step is not null)
                    {
                        steps.Add(step);
                    }

                    containers.Add((reader.TokenType == JsonTokenType.StartArray, 0));
                }
                else if (covers)
                {
                    return Format(step is null ? steps : [.. steps, step]);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON either: the byte offset alone has to do.
        }

        return null;
    }

    private static string? Format(List<object> steps)
    {
        var builder = new StringBuilder();
        foreach (var step in steps)
        {
            if (step is int index)
            {
                builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                builder.Append(builder.Length > 0 ? "." : string.Empty).Append((string)step);
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }
}

/// <summary>A request refused before routing reached it, with the status and error to answer.</summary>
internal sealed class RequestRejectedException(int status, ApiError error) : Exception(error.Message)
{
    public int Status { get; } = status;

    public ApiError Error { get; } = error;
}
