using Herald.Server.Dashboard;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class DashboardServiceCollectionExtensions
{
    /// <summary>The web dashboard's embedded files (see <see cref="DashboardEndpoints"/> for the routes).</summary>
    public static IServiceCollection AddHeraldDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton<DashboardAssets>();
        return services;
    }
}
