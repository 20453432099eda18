using System.Data.Common;
using System.Globalization;
using Herald.LoadTest.Processes;
using Herald.LoadTest.Workload;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Herald.LoadTest.Scenarios;

/// <summary>
/// Herald as a scenario runs it: one node on SQLite (a fresh data folder), or one or more nodes on one fresh
/// PostgreSQL database; each node a separate process, each with an API client.
/// </summary>
internal sealed class HeraldDeployment : IAsyncDisposable
{
    /// <summary>
    /// The server's delivery ceilings (<c>Herald:Delivery</c>, see docs/server.md) the harness sizes the wire-limit loop
    /// with: the loop gets as many requests in flight as Herald may have, even where Herald's adaptive limit uses fewer.
    /// </summary>
    private const int DefaultMaxConcurrencyPerEndpoint = 128;

    private const int DefaultMaxInFlight = 512;

    private readonly string? _sqliteFile;
    private readonly string? _postgresConnection;
    private readonly BenchContext _context;
    private readonly string _name;

    private HeraldDeployment(
        BenchContext context, string name, StoreKind store, IReadOnlyList<HeraldNode> nodes, IReadOnlyDictionary<string, string> settings, string? sqliteFile, string? postgresConnection)
    {
        _context = context;
        _name = name;
        Store = store;
        Nodes = nodes;
        Settings = settings;
        Apis = ApisFor(nodes);
        _sqliteFile = sqliteFile;
        _postgresConnection = postgresConnection;
    }

    public StoreKind Store { get; }

    public IReadOnlyList<HeraldNode> Nodes { get; private set; }

    public IReadOnlyList<HeraldApi> Apis { get; private set; }

    /// <summary>The settings under <c>Herald</c> the nodes run with.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    public static async Task<HeraldDeployment> StartAsync(BenchContext context, StoreKind store, int nodes, IReadOnlyDictionary<string, string> scenarioSettings, string purpose)
    {
        if (store == StoreKind.Sqlite && nodes != 1)
        {
            throw new ArgumentException("SQLite runs one node; use --store postgres for several.");
        }

        var settings = new Dictionary<string, string>(scenarioSettings, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in context.Options.Settings)
        {
            settings[key] = value;
        }

        string? sqliteFile = null, postgresConnection = null;
        if (store == StoreKind.Postgres)
        {
            postgresConnection = await (await context.PostgresAsync()).CreateDatabaseAsync(purpose);
            settings["Storage:Provider"] = "postgres";
            settings["Storage:ConnectionString"] = postgresConnection;
        }

        var name = $"herald-{context.NextRun()}-{purpose}";
        var started = new List<HeraldNode>();
        try
        {
            // One at a time: the first creates the schema.
            for (var node = 0; node < nodes; node++)
            {
                started.Add(await HeraldNode.StartAsync(context.Options.ServerDll, $"{name}-{node}", context.WorkDir, settings));
            }
        }
        catch
        {
            foreach (var node in started)
            {
                await node.DisposeAsync();
            }

            throw;
        }

        if (store == StoreKind.Sqlite)
        {
            sqliteFile = Path.Combine(context.WorkDir, $"{name}-0", "herald.db");
        }

        return new HeraldDeployment(context, name, store, started, settings, sqliteFile, postgresConnection);
    }

    /// <summary>Stops every node and starts it again on the same data (new ports, same settings): what an operator's restart does.</summary>
    public async Task RestartAsync()
    {
        foreach (var api in Apis)
        {
            api.Dispose();
        }

        var restarted = new List<HeraldNode>();
        for (var node = 0; node < Nodes.Count; node++)
        {
            await Nodes[node].DisposeAsync();
            restarted.Add(await HeraldNode.StartAsync(_context.Options.ServerDll, $"{_name}-{node}", _context.WorkDir, Settings));
        }

        Nodes = restarted;
        Apis = ApisFor(restarted);
    }

    /// <summary>
    /// Attempts Herald may have in flight to <paramref name="healthyEndpoints"/> endpoints, over all nodes:
    /// the concurrency the wire-limit loop and the baseline get.
    /// </summary>
    public int DeliveryConcurrency(int healthyEndpoints) => DeliveryConcurrency(Settings, Nodes.Count, healthyEndpoints);

    /// <inheritdoc cref="DeliveryConcurrency(int)"/>
    public static int DeliveryConcurrency(IReadOnlyDictionary<string, string> settings, int nodes, int healthyEndpoints)
    {
        var perEndpoint = Setting(settings, "Delivery:MaxConcurrencyPerEndpoint", DefaultMaxConcurrencyPerEndpoint);
        var perNode = Setting(settings, "Delivery:MaxInFlight", DefaultMaxInFlight);
        return nodes * (int)Math.Min(perNode, (long)perEndpoint * healthyEndpoints);
    }

    public IReadOnlyList<ProcessSample> Sample() => [.. Nodes.Select(node => node.Sample())];

    /// <summary>A direct connection to the server's database, for seeding what the API cannot make fast enough.</summary>
    public async Task<DbConnection> OpenDatabaseAsync()
    {
        DbConnection connection = Store == StoreKind.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _sqliteFile, DefaultTimeout = 60, Pooling = false }.ConnectionString)
            : new NpgsqlConnection(_postgresConnection);
        await connection.OpenAsync();
        return connection;
    }

    private static List<HeraldApi> ApisFor(IEnumerable<HeraldNode> nodes) => [.. nodes.Select(node => new HeraldApi(node.BaseUrl, 64))];

    private static int Setting(IReadOnlyDictionary<string, string> settings, string key, int fallback) =>
        settings.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public async ValueTask DisposeAsync()
    {
        foreach (var api in Apis)
        {
            api.Dispose();
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
