namespace Herald.Server.Storage;

/// <summary>Brings the schema up to date before anything else starts (registered first, so it starts first).</summary>
internal sealed partial class SchemaInitializer(SqlDatabase database, TimeProvider timeProvider, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var result = await database.MigrateAsync(timeProvider, cancellationToken);
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
