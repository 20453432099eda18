using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Events;
using Herald.Server.Partners;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;
using Herald.Server.Storage.Sqlite;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>Wires the Herald server into an ASP.NET Core application.</summary>
internal static class HeraldServerBuilderExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationBuilder AddHeraldServer(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(HeraldServerOptions.SectionName).Get<HeraldServerOptions>() ?? new HeraldServerOptions();
        Validate(options);

        if (string.IsNullOrEmpty(configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = options.Delivery.Timeout + TimeSpan.FromSeconds(10));

        var services = builder.Services;
        services.AddOptions<HeraldServerOptions>().Bind(configuration.GetSection(HeraldServerOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);

        var (adminKey, generatedKey, keyFile) = AdminKeyProvider.Resolve(configuration, options);
        services.AddSingleton(adminKey);
        services.AddSingleton(new StartupBanner.Details(generatedKey, keyFile, options.Dev));
        services.AddSingleton<IHeraldStore>(_ => CreateStore(options));

        services.AddSingleton<TenantResolver>();
        services.AddSingleton<EventIngestor>();
        services.AddSingleton<PartnerConnections>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<RetryPolicy>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<DeliveryOutcomeWriter>();
        services.AddSingleton<DeliveryDispatcher>();

        // Start order matters: schema first; stop order is the reverse, so the dispatcher hands its last
        // outcomes to the writer before the writer drains.
        services.AddHostedService<StoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryOutcomeWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryDispatcher>());
        services.AddHostedService<StartupBanner>();

        services.AddAuthentication(HeraldAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeraldAuthenticationHandler>(HeraldAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(HeraldPolicies.Admin, policy => policy.RequireClaim(Caller.KindClaim, nameof(CallerKind.Admin)))
            .AddPolicy(HeraldPolicies.Tenant, policy => policy.RequireClaim(Caller.KindClaim, nameof(CallerKind.Admin), nameof(CallerKind.Account), nameof(CallerKind.Organization)))
            .AddPolicy(HeraldPolicies.Partner, policy => policy.RequireClaim(Caller.KindClaim, nameof(CallerKind.App)));

        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Context));
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication MapHeraldServer(this WebApplication app)
    {
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        var api = app.MapGroup("/api/v1");
        api.MapOperatorEndpoints()
            .MapAccountEndpoints()
            .MapWebhookEndpoints()
            .MapEventEndpoints()
            .MapDeliveryEndpoints()
            .MapConnectionEndpoints();
        app.MapGroup("/partner-api/v1")
            .MapPartnerWebhookEndpoints()
            .MapPartnerConnectionEndpoints()
            .MapPartnerDeliveryEndpoints();
        app.MapPublicEndpoints(api);
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    private static SqlHeraldStore CreateStore(HeraldServerOptions options)
    {
        var storage = options.Storage;
        return storage.Provider.ToLowerInvariant() switch
        {
            "sqlite" when storage.ConnectionString is { Length: > 0 } connectionString => new SqliteHeraldStore(connectionString, storage.SqliteSynchronous),
            "sqlite" => SqliteHeraldStore.ForDataFolder(options.DataPath, storage.SqliteSynchronous),
            "postgres" or "postgresql" => PostgresHeraldStore.Create(storage.ConnectionString is { Length: > 0 } pg
                ? pg
                : throw new InvalidOperationException("Herald:Storage:ConnectionString is required with the postgres provider, e.g. Host=db;Username=herald;Password=…;Database=herald.")),
            var other => throw new InvalidOperationException($"Herald:Storage:Provider '{other}' is not supported; use 'sqlite' or 'postgres'."),
        };
    }

    private static void Validate(HeraldServerOptions options)
    {
        var delivery = options.Delivery;
        if (delivery.Timeout <= TimeSpan.Zero || delivery.LeaseDuration <= delivery.Timeout)
        {
            throw new InvalidOperationException("Herald:Delivery:LeaseDuration must be longer than Herald:Delivery:Timeout, which must be positive.");
        }

        if (delivery.Jitter is < 0 or >= 1)
        {
            throw new InvalidOperationException("Herald:Delivery:Jitter must be at least 0 and below 1.");
        }

        if (delivery.MaxInFlight < 1 || delivery.MaxConcurrencyPerEndpoint < 1 || delivery.ClaimBatchSize < 1)
        {
            throw new InvalidOperationException("Herald:Delivery:MaxInFlight, MaxConcurrencyPerEndpoint and ClaimBatchSize must be at least 1.");
        }
    }
}
