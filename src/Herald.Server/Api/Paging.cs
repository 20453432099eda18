using System.Globalization;
using Herald.Server.Storage;

namespace Herald.Server.Api;

/// <summary>Reads <c>page_num</c> (from 0) and <c>page_size</c> (default 100, at most 1000).</summary>
internal static class Paging
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1000;

    public static Page FromQuery(HttpRequest request)
    {
        var number = ReadInt(request, "page_num", 0, 0, 1_000_000);
        var size = ReadInt(request, "page_size", DefaultSize, 1, MaxSize);
        return new Page(number, size);
    }

    private static int ReadInt(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw ApiException.Validation($"{name} must be a whole number from {min} to {max}.", name);
        }

        return value;
    }

    public static string? Query(HttpRequest request, string name) =>
        request.Query[name].ToString() is { Length: > 0 } value ? value : null;
}
