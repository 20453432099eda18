using Herald.Receiver.Events;

namespace Herald.Receiver;

/// <summary>
/// Handles events of type <typeparamref name="TEvent"/> from the durable inbox, in the background, after the
/// sender got its 200. Register with <c>AddHeraldReceiver(…).AddHandler&lt;TEvent, THandler&gt;()</c>; a handler
/// for a base type (<see cref="PaymentIntentEvent"/>, <see cref="WebhookEvent"/>) receives every subtype.
/// </summary>
/// <typeparam name="TEvent">The event type.</typeparam>
/// <remarks>
/// Throwing makes the event due again later (with backoff) until it is parked. The event counts as processed
/// only when every handler for it returned and the inbox committed that; for exactly-once side effects write
/// them through <see cref="WebhookContext.Connection"/> and <see cref="WebhookContext.Transaction"/>.
/// </remarks>
public interface IWebhookHandler<in TEvent>
    where TEvent : WebhookEvent
{
    /// <summary>Handles one event.</summary>
    /// <param name="webhookEvent">The verified, parsed event.</param>
    /// <param name="context">The try, the ordering information and the inbox transaction.</param>
    /// <param name="cancellationToken">Signals shutdown.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task HandleAsync(TEvent webhookEvent, WebhookContext context, CancellationToken cancellationToken);
}
