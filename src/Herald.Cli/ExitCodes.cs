namespace Herald.Cli;

/// <summary>The process exit codes of every <c>herald</c> command (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (listen and tail also end with 0 when stopped with Ctrl+C).</summary>
    public const int Success = 0;

    /// <summary>The command ran but the answer is "no": a bad signature, a test delivery the endpoint did not accept, a server that could not start.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: unknown command or option, missing value, unknown event name, unreadable file.</summary>
    public const int Usage = 2;

    /// <summary>The Herald API refused the request (4xx): validation error, bad or missing key, not found, conflict.</summary>
    public const int ApiError = 3;

    /// <summary>The Herald server could not be reached, timed out, or failed (5xx).</summary>
    public const int Unavailable = 4;
}
