using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Herald.Cli.Commands;
using Herald.Cli.Output;

namespace Herald.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var terminal = Terminal.Create();
        var root = HeraldCommand.Create(new CommandServices(new GlobalOptions(), terminal, TimeProvider.System));
        var parseResult = root.Parse(args);

        // The first Ctrl+C (or SIGTERM) asks the command to stop cleanly; a second one ends the process at once.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => RequestStop(stop, context));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => RequestStop(stop, context));

        var exitCode = await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
        return parseResult.Action is ParseErrorAction ? ExitCodes.Usage : exitCode;
    }

    private static void RequestStop(CancellationTokenSource stop, PosixSignalContext context)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        stop.Cancel();
    }
}
