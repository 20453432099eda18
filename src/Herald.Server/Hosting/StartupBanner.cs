using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// Tells the person who started the server where it listens, where the dashboard and the API reference are and, in
/// dev mode, which admin key to sign in with.
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
            if (addresses.FirstOrDefault() is { } first)
            {
                var root = first.TrimEnd('/');
                Console.WriteLine($"  Dashboard:     {root}/   (sign in with an API key)");
                Console.WriteLine($"  API reference: {root}/docs   (OpenAPI: {root}/openapi/v1.json)");
            }

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
