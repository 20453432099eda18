using System.Globalization;
using Herald.LoadTest.Processes;

namespace Herald.LoadTest.Scenarios;

/// <summary>The <c>server</c> command's options; see <see cref="Usage"/>.</summary>
internal sealed record BenchOptions
{
    public const string Usage =
        """
        usage: Herald.LoadTest server [options]
          --scenario NAME     one of: all (default), one-endpoint, single-ingest, paced, fanout, hanging, backlog, retention,
                              hangfire;
                              repeat or comma-separate for several
          --store S           sqlite | postgres (default: each scenario's own set under `all`, sqlite otherwise)
          --nodes N           Herald processes on one PostgreSQL database (default 1)
          --duration S        seconds of publishing per phase (default 10)
          --events N          at most N events per phase (default: per scenario)
          --wire-seconds S    length of each wire-limit measurement (default 5)
          --drain-seconds S   longest wait for the last delivery after publishing ends (default 120)
          --backlog N         queued retries seeded by the backlog scenario (default 1000000), in --backlog-steps (default 4),
                              then --backlog-due more that are due at once (default 10000; 0 skips that step)
          --log-events N      old delivered events the retention scenario seeds and sweeps (default 1000000)
          --baseline-events N events the Hangfire baseline publishes at most (default 5000)
          --rate N            events/s of the paced scenario (default: half the one-endpoint delivered/s of this run, else 500)
          --set KEY=VALUE     a server setting under Herald, e.g. --set Delivery:MaxConcurrencyPerEndpoint=64 (repeatable)
          --server-dll PATH   the Herald.Server.dll to run (default: the one built with the harness)
          --postgres CONN     use this PostgreSQL server (a user that may create databases) instead of a throwaway cluster
          --out DIR           also write results.md, results.json and the charts to DIR
          --charts DIR        write only the charts (server-throughput.png, server-latency.png) to DIR
          --replot FILE       measure nothing: redraw the charts of a results.json into --charts DIR (default: beside FILE)
        """;

    public IReadOnlyList<string> Scenarios { get; init; } = ["all"];

    public string? Store { get; init; }

    public int? Nodes { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public long? Events { get; init; }

    public TimeSpan WireDuration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public long Backlog { get; init; } = 1_000_000;

    public int BacklogSteps { get; init; } = 4;

    public long BacklogDue { get; init; } = 10_000;

    public long LogEvents { get; init; } = 1_000_000;

    public long BaselineEvents { get; init; } = 5_000;

    public double? Rate { get; init; }

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public string ServerDll { get; init; } = BuildOutputs.HeraldServer;

    public string? Postgres { get; init; }

    public string? Out { get; init; }

    public string? Charts { get; init; }

    public string? Replot { get; init; }

    /// <summary>The command as typed, for the report.</summary>
    public string CommandLine { get; init; } = string.Empty;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions { CommandLine = "dotnet run -c Release --project bench/Herald.LoadTest -- server " + string.Join(' ', args.Select(Quote)) };
        var scenarios = new List<string>();
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            double Number() => double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture) is var number && number > 0
                ? number
                : throw new ArgumentException($"{name} takes a positive number.");
            options = name switch
            {
                "--scenario" => options with { Scenarios = AddScenarios(scenarios, Value()) },
                "--store" => options with { Store = Value() is var store && store is "sqlite" or "postgres" ? store : throw new ArgumentException("--store is sqlite or postgres.") },
                "--nodes" => options with { Nodes = (int)Number() },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number()) },
                "--events" => options with { Events = (long)Number() },
                "--wire-seconds" => options with { WireDuration = TimeSpan.FromSeconds(Number()) },
                "--drain-seconds" => options with { DrainTimeout = TimeSpan.FromSeconds(Number()) },
                "--backlog" => options with { Backlog = (long)Number() },
                "--log-events" => options with { LogEvents = Math.Max(1, (long)Number()) },
                "--backlog-steps" => options with { BacklogSteps = Math.Max(1, (int)Number()) },
                "--backlog-due" => options with { BacklogDue = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--baseline-events" => options with { BaselineEvents = (long)Number() },
                "--rate" => options with { Rate = Number() },
                "--set" => options with { Settings = AddSetting(settings, Value()) },
                "--server-dll" => options with { ServerDll = Path.GetFullPath(Value()) },
                "--postgres" => options with { Postgres = Value() },
                "--out" => options with { Out = Path.GetFullPath(Value()) },
                "--charts" => options with { Charts = Path.GetFullPath(Value()) },
                "--replot" => options with { Replot = Path.GetFullPath(Value()) },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }

        return options;
    }

    private static List<string> AddScenarios(List<string> scenarios, string value)
    {
        scenarios.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return scenarios;
    }

    private static Dictionary<string, string> AddSetting(Dictionary<string, string> settings, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException("--set takes KEY=VALUE, e.g. Delivery:MaxConcurrencyPerEndpoint=64.");
        }

        settings[value[..equals]] = value[(equals + 1)..];
        return settings;
    }

    private static string Quote(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg;
}
