using System.Text.Json;

namespace Herald.Receiver.Events;

internal static class JsonRead
{
    /// <summary>Reads a member as text (strings as-is, numbers and booleans as their JSON text); null, "" or absent give null.</summary>
    public static string? String(JsonElement element, string name, string? alternateName = null)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!element.TryGetProperty(name, out var value) && (alternateName is null || !element.TryGetProperty(alternateName, out value)))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
