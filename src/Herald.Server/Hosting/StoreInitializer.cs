using Herald.Server.Storage;

namespace Herald.Server.Hosting;

/// <summary>Brings the schema up to date before anything else starts.</summary>
internal sealed class StoreInitializer(IHeraldStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
