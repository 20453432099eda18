namespace Herald.Server.Storage;

/// <summary>Brings the schema up to date before anything else starts (registered first, so it starts first).</summary>
internal sealed partial class SchemaInitializer(SqlDatabase database, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Migrating is wall-clock work at start (waiting for another node's lock, backing off a lock timeout): it runs on
        // the system clock even when the delivery engine runs on another one.
        var result = await database.MigrateAsync(TimeProvider.System, cancellationToken);
        if (result.Applied.Count > 0)
        {
            LogApplied(logger, result.Applied, result.CurrentVersion);
        }

        if (result.UnknownVersions.Count > 0)
        {
            LogNewerSchema(logger, result.UnknownVersions);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migrations {Versions}; the schema is at version {Version}")]
    private static partial void LogApplied(ILogger logger, IReadOnlyList<int> versions, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database holds schema versions {Versions} from a newer Herald; running on (migrations only add), but upgrade this node")]
    private static partial void LogNewerSchema(ILogger logger, IReadOnlyList<int> versions);
}
