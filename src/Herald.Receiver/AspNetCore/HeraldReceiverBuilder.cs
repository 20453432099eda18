using Herald.Receiver.Events;
using Herald.Receiver.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Receiver;

/// <summary>
/// Chooses the inbox and adds handlers and notifiers; returned by <c>services.AddHeraldReceiver(…)</c>. The inbox
/// comes from a dialect package: <c>.UseSqliteInbox(…)</c> (Herald.Receiver.Sqlite) or <c>.UsePostgresInbox(…)</c>
/// (Herald.Receiver.PostgreSql).
/// </summary>
public sealed class HeraldReceiverBuilder
{
    internal HeraldReceiverBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped: one instance per event) for events of type
    /// <typeparamref name="TEvent"/> and its subtypes. Several handlers for one event run in registration order,
    /// in one transaction; if one throws, the event is tried again as a whole. Registering the same pair again has
    /// no effect.
    /// </summary>
    /// <typeparam name="TEvent">The event type, for example <see cref="PaymentIntentSucceeded"/>.</typeparam>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <returns>This builder.</returns>
    public HeraldReceiverBuilder AddHandler<TEvent, THandler>()
        where TEvent : WebhookEvent
        where THandler : class, IWebhookHandler<TEvent>
    {
        Services.TryAddScoped<THandler>();
        if (!Services.Any(descriptor => descriptor.ServiceType == typeof(HandlerRegistration)
            && descriptor.ImplementationInstance is HandlerRegistration existing
            && existing.EventType == typeof(TEvent) && existing.HandlerType == typeof(THandler)))
        {
            Services.AddSingleton(HandlerRegistration.For<TEvent, THandler>());
        }

        return this;
    }

    /// <summary>Registers a notifier called when a <c>partner_connection.disconnected</c> event is processed (once per type).</summary>
    /// <typeparam name="TNotifier">The notifier type (scoped).</typeparam>
    /// <returns>This builder.</returns>
    public HeraldReceiverBuilder AddPartnerDisconnectionNotifier<TNotifier>()
        where TNotifier : class, IPartnerDisconnectionNotifier
    {
        Services.TryAddEnumerable(ServiceDescriptor.Scoped<IPartnerDisconnectionNotifier, TNotifier>());
        return this;
    }
}
