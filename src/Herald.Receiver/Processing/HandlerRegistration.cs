using Herald.Receiver.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Processing;

/// <summary>One registered handler: which events it takes and how to call it without reflection.</summary>
internal sealed class HandlerRegistration(Type eventType, Type handlerType, Func<IServiceProvider, WebhookEvent, WebhookContext, CancellationToken, Task> invoke)
{
    public Type EventType { get; } = eventType;

    public Type HandlerType { get; } = handlerType;

    public Func<IServiceProvider, WebhookEvent, WebhookContext, CancellationToken, Task> Invoke { get; } = invoke;

    public static HandlerRegistration For<TEvent, THandler>()
        where TEvent : WebhookEvent
        where THandler : class, IWebhookHandler<TEvent> =>
        new(typeof(TEvent), typeof(THandler), static (services, webhookEvent, context, cancellationToken) =>
            services.GetRequiredService<THandler>().HandleAsync((TEvent)webhookEvent, context, cancellationToken));
}
