using System.Text.Json;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>
/// Events are answered with their stored envelope bytes, exactly what endpoints receive, rather than a
/// re-serialized copy.
/// </summary>
internal static class RawEventResults
{
    public static IResult Single(EventRecord record, int statusCode) => new EventResult(record.Body, statusCode);

    public static IResult List(IReadOnlyList<EventRecord> records, bool hasMore, int statusCode = 200) => new EventListResult(records, hasMore, statusCode);

    private sealed class EventResult(byte[] body, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }

    private sealed class EventListResult(IReadOnlyList<EventRecord> records, bool hasMore, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            writer.WriteStartObject();
            writer.WriteStartArray("items"u8);
            foreach (var record in records)
            {
                writer.WriteRawValue(record.Body, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("has_more"u8, hasMore);
            writer.WriteEndObject();
            await writer.FlushAsync(httpContext.RequestAborted);
        }
    }
}
