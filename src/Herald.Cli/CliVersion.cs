using System.Reflection;

namespace Herald.Cli;

/// <summary>This tool's version, as sent in <c>User-Agent: herald-cli/&lt;version&gt;</c>.</summary>
internal static class CliVersion
{
    public static string Current { get; } =
        typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
