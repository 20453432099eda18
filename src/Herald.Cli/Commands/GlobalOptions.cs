using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary>Options every command accepts, before or after its name.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The Herald server URL. Default: $HERALD_URL, then the profile (herald login), then http://127.0.0.1:8080.",
        Recursive = true,
        HelpName = "URL",
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The API key (admin, account or organization). Default: $HERALD_API_KEY, then the profile (herald login).",
        Recursive = true,
        HelpName = "KEY",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts: the API's answer unchanged (one JSON document per line for streams).",
        Recursive = true,
    };
}
