using Herald.Receiver;
using Herald.Receiver.AspNetCore;
using Herald.Receiver.Events;
using Herald.Receiver.Inbox;
using Herald.Receiver.Partners;
using Herald.Receiver.Processing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Herald webhook receiver.</summary>
public static class HeraldReceiverServiceCollectionExtensions
{
    /// <summary>The message of the start-up failure when no inbox was chosen.</summary>
    internal const string NoInboxMessage =
        "Herald.Receiver has no inbox database. Add the Herald.Receiver.Sqlite package and call "
        + "services.AddHeraldReceiver(…).UseSqliteInbox(\"Data Source=herald-inbox.db\"), or add the Herald.Receiver.PostgreSql "
        + "package and call services.AddHeraldReceiver(…).UsePostgresInbox(connectionString or NpgsqlDataSource).";

    /// <summary>
    /// Adds the receiver: verification, background processing, partner connection tracking
    /// (<see cref="IPartnerConnections"/>) and the durable inbox (<see cref="IWebhookInbox"/>), whose database you
    /// choose on the returned builder with <c>.UseSqliteInbox(…)</c> or <c>.UsePostgresInbox(…)</c>. Map the
    /// endpoint with <c>app.MapHeraldWebhooks("/webhooks/airwallex")</c> and add handlers on the builder.
    /// Calling it again (from another module, say) adds the further configuration and registers nothing twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to choose the inbox and add handlers with.</returns>
    public static HeraldReceiverBuilder AddHeraldReceiver(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services);
    }

    /// <summary>
    /// Adds the receiver (see <see cref="AddHeraldReceiver(IServiceCollection)"/>) and configures its
    /// <see cref="HeraldReceiverOptions"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="HeraldReceiverOptions"/> (at least one secret).</param>
    /// <returns>A builder to choose the inbox and add handlers with.</returns>
    public static HeraldReceiverBuilder AddHeraldReceiver(this IServiceCollection services, Action<HeraldReceiverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore(services);
        services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds the receiver (see <see cref="AddHeraldReceiver(IServiceCollection)"/>) with <see cref="HeraldReceiverOptions"/> bound from a configuration section, for example
    /// <c>builder.Configuration.GetSection("HeraldReceiver")</c> holding <c>Secrets</c> (an array),
    /// <c>Tolerance</c> (<c>00:05:00</c>), <c>InboxConnectionString</c>…; environment variables then work as
    /// <c>HeraldReceiver__Secrets__0=whsec_…</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns>A builder to choose the inbox and add handlers with.</returns>
    public static HeraldReceiverBuilder AddHeraldReceiver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddCore(services);
        services.AddOptions<HeraldReceiverOptions>().Bind(configuration);
        return builder;
    }

    private static HeraldReceiverBuilder AddCore(IServiceCollection services)
    {
        var builder = new HeraldReceiverBuilder(services);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(ReceiverMarker)))
        {
            return builder;
        }

        services.AddSingleton<ReceiverMarker>();
        services.AddOptions<HeraldReceiverOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldReceiverOptions>, HeraldReceiverOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Replaced by UseSqliteInbox/UsePostgresInbox; resolving it without one fails the start with what to do.
        services.TryAddSingleton<SqlInboxStore>(static _ => throw new InvalidOperationException(NoInboxMessage));
        services.TryAddSingleton<IWebhookInbox>(static provider => provider.GetRequiredService<SqlInboxStore>());
        services.TryAddSingleton<IPartnerConnections, PartnerConnectionStore>();
        services.TryAddSingleton<WebhookEndpoint>();
        services.TryAddSingleton<InboxProcessor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InboxProcessor>(static provider => provider.GetRequiredService<InboxProcessor>()));
        builder.AddHandler<PartnerConnectionDisconnected, PartnerConnectionHandler>();
        return builder;
    }

    /// <summary>Marks a service collection the receiver was added to, so a second call registers nothing twice.</summary>
    private sealed class ReceiverMarker;
}
