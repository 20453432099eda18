using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Herald.Server.Hosting;

/// <summary>
/// Tells the person who started the server where it listens and, in dev mode, which admin key to use.
/// The key is written to the console only (never to the log), and only when Herald made it.
/// </summary>
internal sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, StartupBanner.Details details) : IHostedService
{
    internal sealed record Details(string? GeneratedAdminKey, string? AdminKeyFile, bool Dev);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"Herald is listening on {string.Join(", ", addresses)}{(details.Dev ? " (dev mode)" : string.Empty)}");
            if (details.GeneratedAdminKey is not null)
            {
                Console.WriteLine($"Admin key: {details.GeneratedAdminKey}");
                Console.WriteLine($"  (kept in {details.AdminKeyFile}; set HERALD_ADMIN_KEY to use your own)");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
