using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Herald.Bench;

namespace Herald.LoadTest.Processes;

/// <summary>
/// The verifying webhook receiver (<c>bench/Herald.Bench.Receiver</c>) in its own process, and the harness's
/// side of its control routes.
/// </summary>
internal sealed class ReceiverProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _control;

    private ReceiverProcess(ChildProcess process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _control = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseUrl { get; }

    public ProcessSample Sample() => _process.Sample();

    public static async Task<ReceiverProcess> StartAsync(string dll, string workDir)
    {
        var process = ChildProcess.StartDotnet("receiver", dll, ["--secret", BenchEvents.Secret], new Dictionary<string, string>(), Path.Combine(workDir, "receiver.log"));
        var line = await process.WaitForLineAsync(l => l.StartsWith("listening on ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return new ReceiverProcess(process, new Uri(line["listening on ".Length..]));
    }

    /// <summary>The URL of endpoint <paramref name="endpoint"/> behaving as <paramref name="behaviour"/>.</summary>
    public Uri Endpoint(EndpointBehaviour behaviour, int endpoint) => new(BaseUrl, behaviour switch
    {
        EndpointBehaviour.Healthy => "/hook/",
        EndpointBehaviour.Hanging => "/hang/",
        _ => "/fail/",
    } + endpoint.ToString(CultureInfo.InvariantCulture));

    public async Task ResetAsync()
    {
        using var response = await _control.PostAsync(new Uri("/control/reset", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
    }

    public async Task<ReceiverStats> StatsAsync() =>
        await _control.GetFromJsonAsync<ReceiverStats>(new Uri("/control/stats", UriKind.Relative)) ?? throw new InvalidOperationException("No stats.");

    /// <summary>Every first arrival since the last reset.</summary>
    public async Task<IReadOnlyList<Arrival>> ArrivalsAsync()
    {
        var arrivals = new List<Arrival>();
        await using var stream = await _control.GetStreamAsync(new Uri("/control/arrivals", UriKind.Relative));
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            var fields = line.Split('\t');
            arrivals.Add(new Arrival(
                int.Parse(fields[0], CultureInfo.InvariantCulture), BenchEvents.Sequence(fields[1]), long.Parse(fields[2], CultureInfo.InvariantCulture)));
        }

        return arrivals;
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _process.DisposeAsync();
    }
}

internal enum EndpointBehaviour
{
    /// <summary>Verifies, records the arrival, answers 200.</summary>
    Healthy,

    /// <summary>Holds the request until the sender times out.</summary>
    Hanging,

    /// <summary>Answers 500 at once.</summary>
    Failing,
}

/// <summary>One event's first arrival at one endpoint, on the shared monotonic clock.</summary>
internal readonly record struct Arrival(int Endpoint, long Sequence, long Timestamp);

internal sealed record ReceiverStats(
    [property: JsonPropertyName("arrivals")] long Arrivals,
    [property: JsonPropertyName("duplicates")] long Duplicates,
    [property: JsonPropertyName("rejected")] long Rejected,
    [property: JsonPropertyName("failed")] long Failed,
    [property: JsonPropertyName("hung")] long Hung,
    [property: JsonPropertyName("frequency")] long Frequency);
