using System.CommandLine;
using Herald.Cli.Api;
using Herald.Cli.Configuration;
using Herald.Cli.Output;

namespace Herald.Cli.Commands;

/// <summary>What a command's action needs: its parsed values, the output, the clock and the resolved settings.</summary>
internal sealed class CommandContext(ParseResult parseResult, GlobalOptions globals, Terminal terminal, TimeProvider time)
{
    private CliSettings? _settings;

    public Terminal Terminal => terminal;

    public TimeProvider Time => time;

    public bool Json => parseResult.GetValue(globals.Json);

    public CliSettings Settings => _settings ??= CliSettings.Resolve(parseResult.GetValue(globals.Url), parseResult.GetValue(globals.ApiKey));

    public string? UrlFlag => parseResult.GetValue(globals.Url);

    public string? ApiKeyFlag => parseResult.GetValue(globals.ApiKey);

    public T? Get<T>(Option<T> option) => parseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => parseResult.GetValue(argument);

    public bool Has(Option option) => parseResult.GetResult(option) is { Implicit: false };

    public IReadOnlyList<string> Unmatched => parseResult.UnmatchedTokens;

    public HeraldApiClient CreateApiClient() => new(Settings);

    /// <summary>Prints the raw answer with <c>--json</c>, otherwise lets <paramref name="render"/> show it.</summary>
    public void Show(ApiResponse response, Action<ApiResponse> render)
    {
        if (Json)
        {
            terminal.WriteJson(response.Body);
        }
        else
        {
            render(response);
        }
    }
}

/// <summary>Wires command actions to the shared error handling.</summary>
internal static class CommandActions
{
    public static void SetHandler(this Command command, CommandServices services, Func<CommandContext, CancellationToken, Task<int>> run) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CommandContext(parseResult, services.Globals, services.Terminal, services.Time);
            try
            {
                return await run(context, cancellationToken);
            }
            catch (CliException exception)
            {
                services.Terminal.Fail(exception.Message, exception.Hint);
                return exception.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                services.Terminal.Note("[grey]Interrupted.[/]");
                return 130;
            }
        });
}

/// <summary>The shared pieces every command builder gets.</summary>
internal sealed record CommandServices(GlobalOptions Globals, Terminal Terminal, TimeProvider Time);
