using System.Text.Json;

namespace Herald.Cli.Streaming;

/// <summary>The fields of an envelope worth showing in a one-line summary; unreadable envelopes show as "?".</summary>
internal sealed record EnvelopeSummary(string Id, string Name, string Owner, string CreatedAt)
{
    public static EnvelopeSummary Read(byte[] envelope)
    {
        try
        {
            using var document = JsonDocument.Parse(envelope);
            var root = document.RootElement;
            return new EnvelopeSummary(Text(root, "id"), Text(root, "name"), Text(root, "account_id") is { Length: > 0 } account ? account : Text(root, "app_id"), Text(root, "created_at"));
        }
        catch (JsonException)
        {
            return new EnvelopeSummary("?", "?", "?", "?");
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
