using Herald.Receiver;
using Herald.Receiver.AspNetCore;
using Herald.Receiver.Events;
using Herald.Receiver.Inbox;
using Herald.Receiver.Partners;
using Herald.Receiver.Processing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Herald webhook receiver.</summary>
public static class HeraldReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Adds the receiver: verification, the durable inbox (<see cref="IWebhookInbox"/>), background processing,
    /// partner connection tracking (<see cref="IPartnerConnections"/>). Map the endpoint with
    /// <c>app.MapHeraldWebhooks("/webhooks/airwallex")</c> and add handlers on the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="HeraldReceiverOptions"/> (at least one secret).</param>
    /// <returns>A builder to add handlers with.</returns>
    public static HeraldReceiverBuilder AddHeraldReceiver(this IServiceCollection services, Action<HeraldReceiverOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<HeraldReceiverOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldReceiverOptions>, HeraldReceiverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqlInboxStore>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value;
            var time = provider.GetRequiredService<TimeProvider>();
            return options.InboxProvider == HeraldInboxProvider.Postgres
                ? new PostgresInboxStore(options.InboxConnectionString, time)
                : new SqliteInboxStore(options.InboxConnectionString, options.SqliteSynchronous, time);
        });
        services.TryAddSingleton<IWebhookInbox>(static provider => provider.GetRequiredService<SqlInboxStore>());
        services.TryAddSingleton<IPartnerConnections, PartnerConnectionStore>();
        services.TryAddSingleton<InboxSignal>();
        services.TryAddSingleton<WebhookEndpoint>();
        services.TryAddSingleton<InboxProcessor>();
        if (!services.Any(descriptor => descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationFactory?.Method.DeclaringType == typeof(HeraldReceiverServiceCollectionExtensions)))
        {
            services.AddSingleton<IHostedService>(static provider =>
                provider.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value.ProcessInBackground
                    ? provider.GetRequiredService<InboxProcessor>()
                    : new NoOpHostedService());
        }

        var builder = new HeraldReceiverBuilder(services);
        if (!services.Any(descriptor => descriptor.ServiceType == typeof(PartnerConnectionHandler)))
        {
            builder.AddHandler<PartnerConnectionDisconnected, PartnerConnectionHandler>();
        }

        return builder;
    }

    private sealed class NoOpHostedService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
