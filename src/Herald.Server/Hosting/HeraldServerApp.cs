using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// The server as a program: what <c>Program.cs</c> and <c>herald serve</c> both run, so both take the same flags
/// (<c>--dev</c>, <c>--data</c>, <c>--urls</c>, any <c>--Herald:Section:Key=value</c>) and behave the same.
/// </summary>
/// <remarks>
/// The content root is the working directory (ASP.NET Core's default): an <c>appsettings.json</c> there is read,
/// but none is needed. Server settings default in their options classes; the log levels, which have none, default
/// in <see cref="DefaultSettings"/>, the lowest-priority source, so that a server started from a folder without
/// <c>appsettings.json</c> (an installed <c>herald</c> tool, a published folder) logs exactly like one started
/// from the server project.
/// </remarks>
internal static class HeraldServerApp
{
    /// <summary>Configuration defaults that every other source (appsettings, environment, flags) overrides.</summary>
    public static IReadOnlyDictionary<string, string?> DefaultSettings { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
    };

    /// <summary>Runs the server until it is stopped (Ctrl+C, SIGTERM, or <paramref name="cancellationToken"/>).</summary>
    /// <param name="args">Command-line arguments: <c>--dev</c>, <c>--data DIR</c>, <c>--urls URL</c> and configuration overrides.</param>
    /// <param name="cancellationToken">Stops the server gracefully when cancelled.</param>
    /// <returns>0 after a normal stop; 1 when the configuration does not allow starting (the reason is printed).</returns>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var builder = CreateBuilder(args);
        builder.AddHeraldServer();
        await using var app = builder.Build();
        app.MapHeraldServer();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException)
        {
            // Configuration mistakes (no admin key outside dev mode, invalid option values) deserve their message, not a stack trace.
            await Console.Error.WriteLineAsync($"Herald cannot start: {exception.Message}");
            return 1;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>The web application builder with Herald's flags mapped and the defaults in place.</summary>
    /// <param name="args">Command-line arguments as given to <see cref="RunAsync"/>.</param>
    /// <returns>A builder ready for <c>AddHeraldServer</c>.</returns>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Configuration is read once at start. Reloading on change would watch the working folder and everything under
        // it, which is often where the data folder is: the watcher then woke on every database write (6.5 % of the
        // server's CPU under load).
        var builder = WebApplication.CreateBuilder([.. HeraldCommandLine.Normalize(args), "--hostBuilder:reloadConfigOnChange=false"]);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultSettings });
        return builder;
    }
}
