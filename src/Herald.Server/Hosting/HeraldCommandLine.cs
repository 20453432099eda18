namespace Herald.Server.Hosting;

/// <summary>
/// Maps Herald's flags onto configuration keys: <c>--dev</c> → <c>Herald:Dev=true</c>, <c>--data DIR</c> →
/// <c>Herald:DataPath</c>. <c>--urls</c> is ASP.NET Core's own and passes through.
/// </summary>
internal static class HeraldCommandLine
{
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--dev")
            {
                result.Add("--Herald:Dev=true");
            }
            else if (arg is "--data" && i + 1 < args.Count)
            {
                result.Add($"--Herald:DataPath={args[++i]}");
            }
            else if (arg.StartsWith("--data=", StringComparison.Ordinal))
            {
                result.Add($"--Herald:DataPath={arg["--data=".Length..]}");
            }
            else
            {
                result.Add(arg);
            }
        }

        return [.. result];
    }
}
