using System.Globalization;
using Spectre.Console;

namespace Herald.Cli.Output;

/// <summary>
/// Standard output and error as Spectre consoles (colour and tables when a person is watching, plain text when
/// redirected, <c>NO_COLOR</c> honoured), plus a raw byte channel so <c>--json</c> prints the API's bytes unchanged.
/// </summary>
internal sealed class Terminal
{
    // Redirected output has no window to measure; wide enough that ids and URLs in tables never wrap.
    private const int RedirectedWidth = 1000;

    private readonly Lock _rawLock = new();
    private Stream? _rawOut;

    private Terminal(IAnsiConsole output, IAnsiConsole error)
    {
        Out = output;
        Error = error;
    }

    public IAnsiConsole Out { get; }

    public IAnsiConsole Error { get; }

    /// <summary>Whether a person is likely watching standard output (progress spinners are shown only then).</summary>
    public static bool IsInteractive => !Console.IsOutputRedirected;

    public static bool IsInputRedirected => Console.IsInputRedirected;

    public static Terminal Create() => new(
        CreateConsole(Console.Out, Console.IsOutputRedirected),
        CreateConsole(Console.Error, Console.IsErrorRedirected));

    /// <summary>Writes JSON bytes exactly as received, then a newline.</summary>
    public void WriteJson(ReadOnlySpan<byte> json)
    {
        lock (_rawLock)
        {
            Console.Out.Flush();
            _rawOut ??= Console.OpenStandardOutput();
            _rawOut.Write(json);
            _rawOut.Write("\n"u8);
            _rawOut.Flush();
        }
    }

    public void WriteLine(string text) => Out.WriteLine(text);

    public void MarkupLine(string markup) => Out.MarkupLine(markup);

    /// <summary>A short note on standard error (so it never mixes with output a script reads).</summary>
    public void Note(string markup) => Error.MarkupLine(markup);

    public void Fail(string message, string? hint)
    {
        Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        if (!string.IsNullOrEmpty(hint))
        {
            Error.MarkupLine($"[grey]hint:[/] {Markup.Escape(hint)}");
        }
    }

    public static string Escape(string? text) => Markup.Escape(text ?? string.Empty);

    public static string Milliseconds(double milliseconds) =>
        milliseconds.ToString(milliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    private static IAnsiConsole CreateConsole(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 20
                ? columns
                : RedirectedWidth;
        }

        return console;
    }
}
