using Herald.Core;
using Herald.Core.Accounts;
using Herald.Core.Deliveries;
using Herald.Core.Events;
using Herald.Core.Partners;
using Herald.Core.Retention;
using Herald.Core.Webhooks;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;
using Herald.Server.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the database named by <c>Herald:Storage</c> (SQLite in the data folder by default), one store per
    /// aggregate, and the schema migration that runs before any other hosted service starts.
    /// </summary>
    public static IServiceCollection AddHeraldStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton<SqlDatabase>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage switch
            {
                { IsPostgres: true } => PostgresDatabase.Create(storage.ConnectionString!),
                { ConnectionString: { Length: > 0 } connectionString } => new SqliteDatabase(connectionString, storage.SqliteSynchronous),
                _ => SqliteDatabase.ForDataFolder(storage.DataFolder, storage.SqliteSynchronous),
            };
        });
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.SectionName)
            .PostConfigure<IConfiguration>((secrets, configuration) =>
                secrets.MasterKeys = string.Join(',', new[] { configuration[SecretsOptions.EnvironmentVariable], secrets.MasterKeys }.Where(k => !string.IsNullOrWhiteSpace(k))))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretsOptions>, SecretsOptionsValidator>());
        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<IAccountStore, SqlAccountStore>();
        services.TryAddSingleton<IWebhookStore, SqlWebhookStore>();
        services.TryAddSingleton<IEventStore, SqlEventStore>();
        services.TryAddSingleton<IEventFeedStore, SqlEventFeedStore>();
        services.TryAddSingleton<IDeliveryStore, SqlDeliveryStore>();
        services.TryAddSingleton<IPartnerStore, SqlPartnerStore>();
        services.TryAddSingleton<IRetentionStore, SqlRetentionStore>();
        services.TryAddSingleton<IDeliveryQueueStats, SqlDeliveryQueueStats>();
        services.AddHostedService<SchemaInitializer>();
        services.AddHostedService<SecretKeyMaintenance>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseHealthCheck.Name, tags: [HealthTags.Ready])
            .AddCheck<ClockSkewHealthCheck>(ClockSkewHealthCheck.Name, tags: [HealthTags.Ready]);
        return services;
    }
}
