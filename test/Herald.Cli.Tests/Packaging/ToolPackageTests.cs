using System.Diagnostics;
using System.Reflection;
using Herald.Testing;

namespace Herald.Cli.Tests.Packaging;

public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_with_dotnet_tool_install_and_its_herald_command_runs()
    {
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HeraldCliConfiguration").Value!;
        var work = Directory.CreateTempSubdirectory("herald-cli-pack-").FullName;
        var packages = Path.Combine(work, "packages");
        var tools = Path.Combine(work, "tools");

        // Only the local folder as a source: the tool package carries all it needs, so no registry is asked.
        File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        var pack = await DotnetAsync(work, "pack", Path.Combine(RepositoryPaths.Root, "src", "Herald.Cli", "Herald.Cli.csproj"), "--no-build", "-c", configuration, "-o", packages);
        var install = await DotnetAsync(work, "tool", "install", "--tool-path", tools, "--configfile", Path.Combine(work, "nuget.config"), "Herald.Cli");
        var help = await RunAsync(work, Path.Combine(tools, OperatingSystem.IsWindows() ? "herald.exe" : "herald"), "--help");
        var sign = await RunAsync(work, Path.Combine(tools, OperatingSystem.IsWindows() ? "herald.exe" : "herald"), "sign", "--secret", "s", "--timestamp", "0", "--payload", WriteFile(work, "{}"));

        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.Single(Directory.GetFiles(packages, "Herald.Cli.*.nupkg"));
        Assert.True(install.ExitCode == 0, install.Output);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("listen", help.Output, StringComparison.Ordinal);
        Assert.Contains("x-signature: " + SignatureVectors.Valid.Single(v => v.Name == "empty-object").Signature, sign.Output, StringComparison.Ordinal);
        Directory.Delete(work, recursive: true);
    }

    private static string WriteFile(string folder, string text)
    {
        var path = Path.Combine(folder, "body.json");
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet", args);

    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The test host runs under dotnet test; its MSBuild settings must not leak into a separate build.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(variable);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, $"{fileName} {string.Join(' ', args)}\n{await stdout}\n{await stderr}");
    }
}
