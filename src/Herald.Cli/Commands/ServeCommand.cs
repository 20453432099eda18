using System.CommandLine;
using Herald.Server.Hosting;

namespace Herald.Cli.Commands;

/// <summary><c>herald serve</c>: the Herald server itself, the same entry point as the server project.</summary>
internal static class ServeCommand
{
    public static Command Create(CommandServices services)
    {
        var dev = new Option<bool>("--dev")
        {
            Description = "Development mode: http and loopback webhook URLs are allowed, and without HERALD_ADMIN_KEY an admin key is made, kept in the data folder and printed.",
        };
        var data = new Option<string?>("--data")
        {
            Description = "Folder for the SQLite database and the dev admin key (default ./herald-data, created if missing).",
            HelpName = "DIR",
        };
        var urls = new Option<string?>("--urls")
        {
            Description = "Where to listen (default http://127.0.0.1:8080); several separated by ';'.",
            HelpName = "URL",
        };
        var command = new Command("serve", "Run the Herald server (as the server project does). Any other --Herald:Section:Key=value is passed on as configuration.")
        {
            dev,
            data,
            urls,
        };

        // Configuration overrides such as --Herald:Delivery:Timeout=00:00:05 go to the server untouched.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetHandler(services, (context, cancellationToken) =>
        {
            var args = new List<string>();
            if (context.Get(dev))
            {
                args.Add("--dev");
            }

            if (context.Get(data) is { Length: > 0 } folder)
            {
                args.AddRange(["--data", folder]);
            }

            if (context.Get(urls) is { Length: > 0 } listen)
            {
                args.AddRange(["--urls", listen]);
            }

            args.AddRange(context.Unmatched);
            return HeraldServerApp.RunAsync([.. args], cancellationToken);
        });
        return command;
    }
}
