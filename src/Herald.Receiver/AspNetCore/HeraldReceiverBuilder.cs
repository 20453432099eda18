using Herald.Receiver.Events;
using Herald.Receiver.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Receiver;

/// <summary>Adds handlers and notifiers to the receiver; returned by <c>services.AddHeraldReceiver(…)</c>.</summary>
public sealed class HeraldReceiverBuilder
{
    internal HeraldReceiverBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped: one instance per event) for events of type
    /// <typeparamref name="TEvent"/> and its subtypes. Several handlers for one event run in registration order,
    /// in one transaction; if one throws, the event is tried again as a whole.
    /// </summary>
    /// <typeparam name="TEvent">The event type, for example <see cref="PaymentIntentSucceeded"/>.</typeparam>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <returns>This builder.</returns>
    public HeraldReceiverBuilder AddHandler<TEvent, THandler>()
        where TEvent : WebhookEvent
        where THandler : class, IWebhookHandler<TEvent>
    {
        Services.TryAddScoped<THandler>();
        Services.AddSingleton(HandlerRegistration.For<TEvent, THandler>());
        return this;
    }

    /// <summary>Registers a notifier called when a <c>partner_connection.disconnected</c> event is processed.</summary>
    /// <typeparam name="TNotifier">The notifier type (scoped).</typeparam>
    /// <returns>This builder.</returns>
    public HeraldReceiverBuilder AddPartnerDisconnectionNotifier<TNotifier>()
        where TNotifier : class, IPartnerDisconnectionNotifier
    {
        Services.AddScoped<IPartnerDisconnectionNotifier, TNotifier>();
        return this;
    }
}
