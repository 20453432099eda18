using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Herald.LoadTest.Reporting;

/// <summary>Writes a run's report: the console table, and on request markdown, JSON and the charts.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Header(RunReport report) =>
        $"""
        Date: {report.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}
        Command: {report.Command}
        Machine: {report.Machine}; {report.Runtime}
        Load average (1 min): {report.LoadBefore:0.00} before, {report.LoadAfter:0.00} after
        Server: {report.ServerDll}
        PostgreSQL: {report.Postgres ?? "not used"}
        """;

    public static void WriteConsole(RunReport report)
    {
        Console.WriteLine();
        Console.WriteLine(Header(report));
        Console.WriteLine();
        Console.Write(Table.Text(report.Measurements));
        foreach (var failure in report.Failures)
        {
            Console.WriteLine($"FAILED: {failure}");
        }
    }

    public static async Task<RunReport> ReadAsync(string resultsJson)
    {
        await using var stream = File.OpenRead(resultsJson);
        return await JsonSerializer.DeserializeAsync<RunReport>(stream, Json) ?? throw new InvalidDataException($"{resultsJson} holds no report.");
    }

    public static async Task WriteFilesAsync(RunReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        var markdown = new StringBuilder()
            .AppendLine("# Herald server benchmark")
            .AppendLine()
            .AppendLine(string.Join(Environment.NewLine, Header(report).Split('\n').Select(l => "- " + l.TrimEnd())))
            .AppendLine()
            .Append(Table.Markdown(report.Measurements));
        foreach (var failure in report.Failures)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"- FAILED: {failure}");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), markdown.ToString());
        await File.WriteAllTextAsync(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(report, Json));
        Charts.Write(report, folder);
    }
}
