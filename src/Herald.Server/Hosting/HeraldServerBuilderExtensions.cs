using Herald.Core;
using Herald.Core.Deliveries;
using Herald.Core.Dispatch;
using Herald.Core.Webhooks;
using Herald.Server.Api;
using Herald.Server.Api.Accounts;
using Herald.Server.Api.Deliveries;
using Herald.Server.Api.Errors;
using Herald.Server.Api.Events;
using Herald.Server.Api.Partners;
using Herald.Server.Api.Public;
using Herald.Server.Api.Retention;
using Herald.Server.Api.Session;
using Herald.Server.Api.Stats;
using Herald.Server.Api.Webhooks;
using Herald.Server.Auth;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>Wires the Herald server into an ASP.NET Core application: <c>builder.AddHeraldServer()</c>, then <c>app.MapHeraldServer()</c>.</summary>
internal static class HeraldServerBuilderExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddHeraldServer(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var services = builder.Services;
        services.AddOptions<HeraldServerOptions>().BindConfiguration(HeraldServerOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldServerOptions>, HeraldServerOptionsValidator>());
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());

        // Dev mode relaxes the features' defaults unless they are set explicitly; the SQLite file lives in the data folder.
        services.AddOptions<WebhookOptions>().PostConfigure<IOptions<HeraldServerOptions>>((webhooks, server) => webhooks.RequireHttps ??= !server.Value.Dev);
        services.AddOptions<DeliveryOptions>().PostConfigure<IOptions<HeraldServerOptions>>((delivery, server) => delivery.AllowPrivateNetworks ??= server.Value.Dev);
        services.AddOptions<StorageOptions>().PostConfigure<IOptions<HeraldServerOptions>>((storage, server) => storage.DataFolder = server.Value.DataPath);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
        {
            var limits = api.Value;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;

            // Kestrel answers its own limits before any middleware runs, with an empty body. Its ceilings sit well above
            // Herald's, so a request over Herald's limits reaches RequestGuard and is answered in the error format.
            kestrel.Limits.MaxRequestLineSize = Math.Max((2 * limits.MaxUrlLength) + 1024, 16 * 1024);
            kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(2 * limits.MaxRequestHeadersBytes, 64 * 1024);
            kestrel.Limits.MaxRequestHeaderCount = 2 * limits.MaxRequestHeaderCount;
        });

        // In-flight attempts finish within the delivery timeout on shutdown; give the host that long and a margin.
        services.AddOptions<HostOptions>().Configure<IOptions<DeliveryOptions>>((host, delivery) => host.ShutdownTimeout = delivery.Value.Timeout + TimeSpan.FromSeconds(10));

        // Start order matters: the admin key and the schema first, then the engine, then the banner.
        services.TryAddSingleton<AdminKeyProvider>();
        services.TryAddSingleton(provider => provider.GetRequiredService<AdminKeyProvider>().Key);
        services.AddHostedService<AdminKeyValidator>();
        services.AddHeraldStorage();
        services.AddHeraldCore();
        services.AddHealthChecks().AddCheck<DispatcherHealthCheck>(DispatcherHealthCheck.Name, tags: [HealthTags.Live, HealthTags.Ready]);
        services.AddHostedService<StartupBanner>();

        services.AddHeraldAuth();
        services.AddHeraldRateLimiting();
        services.TryAddSingleton<RequestGuard>();
        services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddHeraldApiDocs();
        services.AddHeraldDashboard();
        builder.AddHeraldObservability();
        return builder;
    }

    public static WebApplication MapHeraldServer(this WebApplication app)
    {
        app.MapHeraldObservability();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        var api = app.MapGroup(ApiRoutes.AccountApi);
        api.MapAccountEndpoints()
            .MapEventEndpoints()
            .MapWebhookEndpoints(HeraldPolicies.Tenant)
            .MapDeliveryEndpoints(HeraldPolicies.Tenant)
            .MapStatsEndpoints(HeraldPolicies.Tenant)
            .MapSessionEndpoints()
            .MapPartnerEndpoints()
            .MapRetentionEndpoints();
        app.MapGroup(ApiRoutes.PartnerApi)
            .MapWebhookEndpoints(HeraldPolicies.Partner)
            .MapDeliveryEndpoints(HeraldPolicies.Partner)
            .MapStatsEndpoints(HeraldPolicies.Partner)
            .MapPartnerConnectionEndpoints();
        app.MapPublicEndpoints(api);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHeraldApiDocs();
        app.MapHeraldDashboard();
        return app;
    }
}
