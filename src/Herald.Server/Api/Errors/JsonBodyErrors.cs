using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Server.Api.Errors;

/// <summary>
/// Explains why a JSON body could not be bound, naming the field: the path of the failure is walked through the
/// request type's contract, so an unknown field is told apart from a known field with the wrong type.
/// </summary>
internal static class JsonBodyErrors
{
    public static ApiError Describe(JsonException exception, Type? requestType, JsonSerializerOptions options)
    {
        var segments = ParsePath(exception.Path);
        var source = segments.Count == 0 ? null : Format(segments);
        if (exception is InvalidTextException text)
        {
            return new ApiError(ApiError.ValidationError, $"{source ?? "A string in the body"} {text.Problem}; send printable text only.", source);
        }

        if (IsDuplicateKey(exception))
        {
            return new ApiError(ApiError.ValidationError, $"A key appears twice in the same object{(source is null ? string.Empty : $" at {source}")}; send each key once.", source);
        }

        if (source is null)
        {
            return new ApiError(ApiError.ValidationError,
                exception.LineNumber is null
                    ? "The request body must be a JSON object."
                    : "The request body is not valid JSON; send a JSON object with Content-Type: application/json.");
        }

        if (requestType is not null && FindsUnknownMember(requestType, segments, options) is { } unknown)
        {
            return new ApiError(ApiError.ValidationError, $"Unknown field '{unknown}'; check the field name against the API reference (/docs).", source);
        }

        return new ApiError(ApiError.ValidationError, $"{source} has the wrong type or is not valid JSON.", source);
    }

    // System.Text.Json reports a repeated key (AllowDuplicateProperties = false) only through its message.
    private static bool IsDuplicateKey(JsonException exception) =>
        exception.Message.Contains("Duplicate property", StringComparison.Ordinal) || exception.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first path segment the contract does not know, walking objects by JSON name and collections by element type.</summary>
    private static string? FindsUnknownMember(Type type, List<object> segments, JsonSerializerOptions options)
    {
        var info = options.GetTypeInfo(type);
        foreach (var segment in segments)
        {
            if (segment is int)
            {
                if (info.ElementType is not { } element)
                {
                    return null;
                }

                info = options.GetTypeInfo(element);
                continue;
            }

            var name = (string)segment;
            if (info.Kind != JsonTypeInfoKind.Object)
            {
                return null;
            }

            var property = info.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null)
            {
                return name;
            }

            info = options.GetTypeInfo(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        }

        return null;
    }

    /// <summary>Splits <c>$.events[2].url</c> or <c>$['odd key']</c> into names and indexes.</summary>
    private static List<object> ParsePath(string? path)
    {
        var segments = new List<object>();
        if (string.IsNullOrEmpty(path) || path[0] != '$')
        {
            return segments;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                end = end < 0 ? path.Length : end;
                if (int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index))
                {
                    segments.Add(index);
                }

                i = end + 1;
            }
            else
            {
                break;
            }
        }

        return segments;
    }

    /// <summary><c>events[2].url</c>: the API's spelling of a field path in <c>source</c>.</summary>
    private static string Format(List<object> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment is int index)
            {
                builder.Append('[').Append(index).Append(']');
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append((string)segment);
            }
        }

        return builder.ToString();
    }
}
