using System.CommandLine;
using Herald.Cli.Api;
using Herald.Cli.Configuration;
using Herald.Cli.Output;
using Spectre.Console;

namespace Herald.Cli.Commands;

/// <summary><c>herald login</c> and <c>herald logout</c>: the profile file that saves the URL and key.</summary>
internal static class ProfileCommands
{
    public static Command CreateLogin(CommandServices services)
    {
        var noVerify = new Option<bool>("--no-verify") { Description = "Save without checking the key against the server." };
        var command = new Command(
            "login",
            "Save the server URL (--url) and API key (--api-key) to the profile file (mode 600), used when no flag or HERALD_URL / HERALD_API_KEY is set. Asks for the key when none is given and a terminal is attached.")
        {
            noVerify,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var path = ProfileStore.DefaultPath;
            var existing = ProfileStore.Load(path);
            // The same order as every other command (flag, environment, what was saved, default), except that the
            // key is never taken from the profile: logging in is for saving a new one.
            var url = CliSettings.ValidateUrl(
                NonEmpty(context.UrlFlag) ?? NonEmpty(Environment.GetEnvironmentVariable(CliSettings.UrlVariable)) ?? existing?.Url ?? CliSettings.DefaultUrl,
                "login");
            var key = NonEmpty(context.ApiKeyFlag) ?? NonEmpty(Environment.GetEnvironmentVariable(CliSettings.ApiKeyVariable));
            if (string.IsNullOrWhiteSpace(key))
            {
                if (Terminal.IsInputRedirected || !Terminal.IsInteractive)
                {
                    throw CliException.Usage("No API key to save: pass --api-key KEY (or set HERALD_API_KEY).");
                }

                key = await new TextPrompt<string>($"API key for {Terminal.Escape(url)}:").Secret().ShowAsync(context.Terminal.Out, cancellationToken);
            }

            key = key.Trim();
            var settings = new CliSettings(new Setting(url, "login"), new Setting(key, "login"), path);
            if (!context.Get(noVerify))
            {
                await VerifyAsync(context, settings, cancellationToken);
            }

            ProfileStore.Save(path, new LoginProfile(url, key));
            context.Terminal.MarkupLine($"[green]Saved[/] {Terminal.Escape(url)} and key {Terminal.Escape(Mask(key))} to {Terminal.Escape(path)} [grey](mode 600)[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateLogout(CommandServices services)
    {
        var command = new Command("logout", "Delete the profile file that herald login wrote.");
        command.SetHandler(services, (context, _) =>
        {
            var path = ProfileStore.DefaultPath;
            context.Terminal.MarkupLine(ProfileStore.Delete(path)
                ? $"Removed {Terminal.Escape(path)}"
                : $"[grey]No profile at {Terminal.Escape(path)}; nothing to remove.[/]");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A key shown without giving it away: its first 6 and last 4 characters.</summary>
    public static string Mask(string key) => key.Length <= 12 ? new string('*', key.Length) : $"{key[..6]}…{key[^4..]}";

    private static async Task VerifyAsync(CommandContext context, CliSettings settings, CancellationToken cancellationToken)
    {
        using var api = new HeraldApiClient(settings, TimeSpan.FromSeconds(15));
        try
        {
            // Any tenant route answers 401 for a wrong key; one event is the cheapest page.
            await api.GetAsync("api/v1/events?page_size=1", cancellationToken);
        }
        catch (CliException exception) when (exception.ExitCode == ExitCodes.Unavailable)
        {
            context.Terminal.Note($"[yellow]warning:[/] could not check the key ({Terminal.Escape(exception.Message)}); saving it anyway.");
        }
    }
}
