using System.Globalization;
using System.Net;

namespace Herald.LoadTest.Processes;

/// <summary>
/// One Herald server process, as a user runs it: <c>dotnet Herald.Server.dll --urls … --data …</c> in dev mode
/// (plain-http loopback webhooks), settings through <c>Herald__Section__Key</c> environment variables, logging
/// at Warning so the console does not cost the server CPU.
/// </summary>
internal sealed class HeraldNode : IAsyncDisposable
{
    public const string AdminKey = "hk_admin_bench_0123456789abcdef";

    private readonly ChildProcess _process;

    private HeraldNode(ChildProcess process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int Id => _process.Id;

    public ProcessSample Sample() => _process.Sample();

    /// <param name="dll">The built <c>Herald.Server.dll</c>.</param>
    /// <param name="name">Names the log file and the data folder.</param>
    /// <param name="workDir">Where the node's data folder and log go.</param>
    /// <param name="settings">Configuration keys under <c>Herald</c>, e.g. <c>Delivery:Timeout</c> → <c>00:00:02</c>.</param>
    public static async Task<HeraldNode> StartAsync(string dll, string name, string workDir, IReadOnlyDictionary<string, string> settings)
    {
        var port = LoopbackPort.Free();
        var dataDir = Directory.CreateDirectory(Path.Combine(workDir, name)).FullName;
        var environment = new Dictionary<string, string>
        {
            ["HERALD_ADMIN_KEY"] = AdminKey,
            ["Herald__Dev"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings)
        {
            environment["Herald__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var process = ChildProcess.StartDotnet(name, dll, ["--urls", url.ToString().TrimEnd('/'), "--data", dataDir], environment, Path.Combine(workDir, name + ".log"));
        var node = new HeraldNode(process, url);
        try
        {
            await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{_process.Name} did not become ready; its last output:{Environment.NewLine}{_process.RecentOutput()}");
    }


    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
