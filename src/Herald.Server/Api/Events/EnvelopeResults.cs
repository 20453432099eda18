using System.Reflection;
using System.Text.Json;
using Herald.Core.Events;
using Microsoft.AspNetCore.Http.Metadata;

namespace Herald.Server.Api.Events;

/// <summary>
/// Events are answered with their stored envelope bytes, exactly what endpoints receive, rather than a re-serialized
/// copy. The API reference still shows their shape (<see cref="EventEnvelope"/>).
/// </summary>
internal sealed class EnvelopeResult(StoredEvent stored, int statusCode) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => statusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json";
        httpContext.Response.ContentLength = stored.Body.Length;
        return httpContext.Response.Body.WriteAsync(stored.Body, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(EventEnvelope), ["application/json"]));
        if (method.Name.Contains("Create", StringComparison.Ordinal))
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(EventEnvelope), ["application/json"]));
        }
    }
}

/// <summary><c>{"items":[envelope…],"has_more":bool}</c> written from the stored bytes.</summary>
internal sealed class EnvelopeListResult(IReadOnlyList<StoredEvent> events, bool hasMore, int statusCode) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("items"u8);
        foreach (var stored in events)
        {
            writer.WriteRawValue(stored.Body, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("has_more"u8, hasMore);
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(
            method.Name.Contains("Create", StringComparison.Ordinal) ? StatusCodes.Status201Created : StatusCodes.Status200OK, typeof(EventEnvelopeList), ["application/json"]));
}
