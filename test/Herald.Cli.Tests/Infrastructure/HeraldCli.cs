using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>What one run of the herald binary printed and returned.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Standard output parsed as one JSON document.</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(StdOut);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the real built <c>herald</c> (<c>dotnet Herald.Cli.dll</c> from this test project's output) as a separate
/// process. Each run gets an empty profile folder and no inherited <c>HERALD_URL</c> / <c>HERALD_API_KEY</c> unless
/// the test passes them, so no run sees the developer's own profile or another test's.
/// </summary>
public static class HeraldCli
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "Herald.Cli.dll");

    public static async Task<CliResult> RunAsync(
        IEnumerable<string> args,
        Dictionary<string, string?>? environment = null,
        byte[]? stdin = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args, environment, workingDirectory))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"herald {string.Join(' ', args)} did not finish in time.\n{new CliResult(-1, await stdout, await stderr)}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string?>? environment, string? workingDirectory)
    {
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("HERALD_URL");
        info.Environment.Remove("HERALD_API_KEY");
        info.Environment.Remove("HERALD_ADMIN_KEY");
        info.Environment["HERALD_CONFIG_DIR"] = Directory.CreateTempSubdirectory("herald-cli-config-").FullName;
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        return info;
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
