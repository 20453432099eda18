using Herald.Core.Accounts;
using Herald.Core.Deliveries;
using Herald.Core.Diagnostics;
using Herald.Core.Dispatch;
using Herald.Core.Events;
using Herald.Core.Partners;
using Herald.Core.Retention;
using Herald.Core.Tenants;
using Herald.Core.Webhooks;
using Herald.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Herald's domain core and delivery engine; the host supplies the stores (one per aggregate).</summary>
internal static class HeraldCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds the domain services, their options (bound from <c>Herald:Events</c>, <c>Herald:Webhooks</c> and
    /// <c>Herald:Delivery</c>, validated at start) and the delivery engine (dispatcher and outcome writer as hosted
    /// services: register the stores and anything that must start first before calling this).
    /// </summary>
    public static IServiceCollection AddHeraldCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EventOptions>().BindConfiguration(EventOptions.SectionName).ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>());
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());

        // The dispatcher's wake-up: ingest, retrigger and disconnect notify it when deliveries become due now.
        services.TryAddSingleton(provider => new WakeSignal(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<TenantResolver>();
        services.TryAddSingleton<AccountService>();
        services.TryAddSingleton<EventIngestor>();
        services.TryAddSingleton<EventLog>();
        services.TryAddSingleton<EventFeed>();
        services.TryAddSingleton<WebhookService>();
        services.TryAddSingleton<DeliveryLog>();
        services.TryAddSingleton<WebhookTester>();
        services.TryAddSingleton<DeliveryStats>();
        services.TryAddSingleton<PartnerConnections>();
        services.TryAddSingleton<RetryPolicy>();
        services.TryAddSingleton<NetworkDialer>();
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<IWebhookSender>(provider => provider.GetRequiredService<WebhookSender>());
        services.TryAddSingleton<DeliveryOutcomeWriter>();
        services.TryAddSingleton<DeliveryDispatcher>();
        services.TryAddSingleton<IDeliveryHandOff>(provider => provider.GetRequiredService<DeliveryDispatcher>());
        services.TryAddSingleton<HeraldMetrics>();

        // Stop order is the reverse of start order: the dispatcher hands its last outcomes to the writer before the writer drains.
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryOutcomeWriter>());
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryDispatcher>());
        services.TryAddSingleton<RetentionSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionSweeper>());
        return services;
    }
}
