using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Herald.Cli.Json;

/// <summary>
/// Applies <c>--set path=value</c> to a JSON object. The path is dot-separated property names, each optionally
/// followed by array indexes (<c>data.object.items[0].amount</c>); missing objects and arrays on the way are made.
/// The value is read as JSON where it clearly is JSON (<c>12</c>, <c>-1.5e3</c>, <c>true</c>, <c>false</c>,
/// <c>null</c>, <c>{…}</c>, <c>[…]</c>, <c>"quoted"</c>) and as a plain string otherwise, so
/// <c>currency=EUR</c> needs no quotes and <c>id="12"</c> keeps 12 a string.
/// </summary>
internal static partial class JsonPathSetter
{
    public static void Apply(JsonObject root, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw CliException.Usage($"--set '{assignment}' is not path=value, e.g. --set data.object.amount=12.");
        }

        Set(root, assignment[..equals].Trim(), ParseValue(assignment[(equals + 1)..]));
    }

    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = ParsePath(path);
        JsonNode container = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var last = i == segments.Count - 1;
            var next = last ? null : segments[i + 1];
            if (last)
            {
                Assign(container, segment, value, path);
                return;
            }

            var child = Get(container, segment, path);
            if (child is null)
            {
                child = next!.Index is null ? new JsonObject() : new JsonArray();
                Assign(container, segment, child, path);
            }
            else if (child is not JsonObject && child is not JsonArray)
            {
                throw CliException.Usage($"--set {path}: {Describe(segments, i)} is {child.GetValueKind().ToString().ToLowerInvariant()} {child.ToJsonString()}, not an object or array.");
            }

            container = child;
        }
    }

    /// <summary>Reads a <c>--set</c> value: JSON when it clearly is JSON, otherwise a string.</summary>
    public static JsonNode? ParseValue(string text)
    {
        switch (text)
        {
            case "null":
                return null;
            case "true":
                return JsonValue.Create(true);
            case "false":
                return JsonValue.Create(false);
        }

        if (NumberPattern().IsMatch(text))
        {
            return JsonNode.Parse(text);
        }

        if (text.Length > 0 && text[0] is '{' or '[' or '"')
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException exception)
            {
                throw CliException.Usage($"--set value {text} starts like JSON but is not valid JSON ({exception.Message}).", "Quote it for the shell, e.g. --set 'data.object.metadata={\"a\":1}'.");
            }
        }

        return JsonValue.Create(text);
    }

    private sealed record Segment(string? Name, int? Index);

    private static List<Segment> ParsePath(string path)
    {
        var segments = new List<Segment>();
        if (path.Length == 0)
        {
            throw CliException.Usage("--set needs a path before '=', e.g. --set data.object.amount=12.");
        }

        foreach (var part in path.Split('.'))
        {
            var match = PartPattern().Match(part);
            if (!match.Success)
            {
                throw CliException.Usage($"--set path '{path}' is not valid near '{part}': use names and [index], e.g. data.object.items[0].amount.");
            }

            segments.Add(new Segment(match.Groups["name"].Value, null));
            foreach (Capture index in match.Groups["index"].Captures)
            {
                segments.Add(new Segment(null, int.Parse(index.Value, NumberStyles.None, CultureInfo.InvariantCulture)));
            }
        }

        return segments;
    }

    private static JsonNode? Get(JsonNode container, Segment segment, string path) => (container, segment) switch
    {
        (JsonObject obj, { Name: { } name }) => obj[name],
        (JsonArray array, { Index: { } index }) => index < array.Count ? array[index] : null,
        _ => throw Mismatch(container, segment, path),
    };

    private static void Assign(JsonNode container, Segment segment, JsonNode? value, string path)
    {
        switch (container, segment)
        {
            case (JsonObject obj, { Name: { } name }):
                obj[name] = value;
                break;
            case (JsonArray array, { Index: { } index }) when index < array.Count:
                array[index] = value;
                break;
            case (JsonArray array, { Index: { } index }) when index == array.Count:
                array.Add(value);
                break;
            case (JsonArray array, { Index: { } index }):
                throw CliException.Usage($"--set {path}: index {index} is past the end of an array of {array.Count}; use at most [{array.Count}] to append.");
            default:
                throw Mismatch(container, segment, path);
        }
    }

    private static CliException Mismatch(JsonNode container, Segment segment, string path) =>
        CliException.Usage(segment.Name is not null
            ? $"--set {path}: '{segment.Name}' is looked up in an array; use [index]."
            : $"--set {path}: [{segment.Index}] is applied to {(container is JsonObject ? "an object" : "a value")}, not an array.");

    private static string Describe(List<Segment> segments, int upTo) =>
        string.Concat(segments.Take(upTo + 1).Select((s, i) => s.Name is not null ? (i == 0 ? s.Name : "." + s.Name) : $"[{s.Index}]"));

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^(?<name>[^\[\]]+)(\[(?<index>[0-9]{1,9})\])*$", RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();
}
