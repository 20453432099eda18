using Spectre.Console;

namespace Herald.Cli.Output;

/// <summary>The look of every table: plain headers, no wrapping of ids.</summary>
internal static class Tables
{
    public static Table Create(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(column)}[/]").NoWrap());
        }

        return table;
    }

    /// <summary>A two-column table of name and value, for showing one object.</summary>
    public static Table Details() => new Table().Border(TableBorder.None).HideHeaders().AddColumn(new TableColumn(string.Empty).NoWrap()).AddColumn(string.Empty);

    public static Table Row(this Table table, params string?[] cells)
    {
        table.AddRow([.. cells.Select(cell => (Spectre.Console.Rendering.IRenderable)new Markup(cell ?? string.Empty))]);
        return table;
    }

    public static Table Detail(this Table table, string name, string? valueMarkup)
    {
        if (!string.IsNullOrEmpty(valueMarkup))
        {
            table.AddRow(new Markup($"[grey]{Markup.Escape(name)}[/]"), new Markup(valueMarkup));
        }

        return table;
    }

    public static string Status(string status) => status.ToUpperInvariant() switch
    {
        "SUCCESS" or "SUCCEEDED" or "ENABLED" => $"[green]{Markup.Escape(status)}[/]",
        "FAILED" or "DISABLED" or "CANCELLED" => $"[red]{Markup.Escape(status)}[/]",
        "QUEUED" => $"[yellow]{Markup.Escape(status)}[/]",
        _ => Markup.Escape(status),
    };

    /// <summary>A list's timestamp, shorter: <c>2026-05-20T13:54:20+0000</c> shows as <c>2026-05-20 13:54:20</c> (UTC, as every time Herald writes).</summary>
    public static string Time(string text) =>
        text.Length == 24 && text[10] == 'T' && text.EndsWith("+0000", StringComparison.Ordinal) ? $"{text[..10]} {text[11..19]}" : text;

    public static string HttpStatus(long? code) => code switch
    {
        null => string.Empty,
        >= 200 and < 300 => $"[green]{code}[/]",
        _ => $"[red]{code}[/]",
    };
}
