using System.Text.Json;

namespace Herald.Receiver.Events;

internal static class JsonRead
{
    /// <summary>The error for a JSON string that cannot become text (invalid UTF-8, or an escaped lone surrogate such as <c>"\ud800"</c>).</summary>
    public static FormatException NotText(string member, Exception inner) =>
        new($"The member '{member}' is not valid Unicode text: {inner.Message}", inner);

    /// <summary>Reads a member as text (strings as-is, numbers and booleans as their JSON text); null, "" or absent give null.</summary>
    /// <exception cref="FormatException">The member is a string that is not valid Unicode.</exception>
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

        string? text;
        try
        {
            text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            };
        }
        catch (InvalidOperationException exception)
        {
            throw NotText(name, exception);
        }

        return string.IsNullOrEmpty(text) ? null : text;
    }
}
