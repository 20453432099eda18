using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Herald.Testing;

/// <summary>
/// Runs JavaScript's <c>JSON.stringify(JSON.parse(text))</c> in Node over many inputs in one process, so a test class
/// pays Node's start-up once. Bytes cross the pipe base64-encoded, so nothing is re-encoded on the way.
/// </summary>
public static class NodeJson
{
    private const string InstallHint =
        "Node.js is required for the canonical JSON tests (they compare Herald's bytes with JavaScript's JSON.stringify): " +
        "install it with `apt-get install nodejs` (.ci/run and .ci/test install it on CI).";

    // Reads a JSON array of base64 inputs; writes a JSON array of base64 outputs, null where JSON.parse threw.
    private const string Script = """
        const chunks = [];
        process.stdin.on('data', c => chunks.push(c));
        process.stdin.on('end', () => {
          const inputs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const outputs = inputs.map(b64 => {
            let value;
            try { value = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')); } catch { return null; }
            return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
          });
          process.stdout.write(JSON.stringify(outputs));
        });
        """;

    private static readonly Lazy<string> LazyExecutable = new(FindNode);

    /// <summary>The node executable; throws with how to install Node when it is missing.</summary>
    public static string Executable => LazyExecutable.Value;

    /// <summary>Node's round trip of each input (UTF-8 bytes); null where <c>JSON.parse</c> refuses the input.</summary>
    public static IReadOnlyList<byte[]?> RoundTrip(IReadOnlyList<byte[]> inputs)
    {
        var startInfo = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add("-e");
        startInfo.ArgumentList.Add(Script);
        using var node = Process.Start(startInfo) ?? throw new InvalidOperationException(InstallHint);
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        node.StandardInput.Write(JsonSerializer.Serialize(inputs.Select(Convert.ToBase64String)));
        node.StandardInput.Close();
        if (!node.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            node.Kill();
            throw new TimeoutException("node did not finish the JSON round trips within 2 minutes.");
        }

        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"node exited with {node.ExitCode}: {errors.Result}");
        }

        var results = JsonSerializer.Deserialize<string?[]>(output.Result) ?? throw new InvalidOperationException("node wrote no result.");
        if (results.Length != inputs.Count)
        {
            throw new InvalidOperationException($"node answered {results.Length} results for {inputs.Count} inputs.");
        }

        return [.. results.Select(r => r is null ? null : Convert.FromBase64String(r))];
    }

    private static string FindNode()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            foreach (var name in new[] { "node", "nodejs" })
            {
                var candidate = Path.Combine(directory, name);
                if (directory.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException(InstallHint);
    }
}
