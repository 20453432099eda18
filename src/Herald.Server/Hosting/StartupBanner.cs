using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// Tells the person who started the server where it listens and, in dev mode, which admin key to use.
/// The key is written to the console only (never to the log), and only when Herald made it.
/// </summary>
internal sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, AdminKeyProvider adminKey, IOptions<HeraldServerOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"Herald is listening on {string.Join(", ", addresses)}{(options.Value.Dev ? " (dev mode)" : string.Empty)}");
            if (adminKey.GeneratedKey is not null)
            {
                Console.WriteLine($"Admin key: {adminKey.GeneratedKey}");
                Console.WriteLine($"  (kept in {adminKey.KeyFile}; set HERALD_ADMIN_KEY to use your own)");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
