using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Server.Api;

/// <summary>Reads a JSON request body, turning every deserialization problem into a 400 that names the field.</summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return value ?? throw ApiException.Validation("The request body must be a JSON object, not null.");
        }
        catch (JsonException exception)
        {
            var source = SourceFromPath(exception.Path);
            var message = exception.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"Unknown field {UnknownMember(exception.Message) ?? source}; check the field name against the API reference."
                : source is null
                    ? "The request body is not valid JSON; send a JSON object with Content-Type: application/json."
                    : $"{source} has the wrong type or is not valid JSON.";
            throw ApiException.Validation(message, source);
        }
    }

    /// <summary>Turns <c>$.events[2].url</c> into <c>events[2].url</c>; null for the root.</summary>
    internal static string? SourceFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string? UnknownMember(string message)
    {
        // "The JSON property 'foo' could not be mapped to any .NET member contained in type ..."
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? $"'{message[(start + 1)..end]}'" : null;
    }
}
