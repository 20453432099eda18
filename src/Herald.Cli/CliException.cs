namespace Herald.Cli;

/// <summary>
/// A failure to report to the user: one message (printed on standard error) and the exit code it maps to. Commands
/// throw it; the entry point prints it, so every command reports errors the same way.
/// </summary>
internal class CliException : Exception
{
    public CliException(int exitCode, string message, string? hint = null)
        : base(message)
    {
        ExitCode = exitCode;
        Hint = hint;
    }

    public CliException()
        : this(ExitCodes.Failure, "The command failed.")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Failure, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failure;
    }

    public int ExitCode { get; }

    /// <summary>What to try next, printed dimmed under the message.</summary>
    public string? Hint { get; }

    public static CliException Usage(string message, string? hint = null) => new(ExitCodes.Usage, message, hint);
}
