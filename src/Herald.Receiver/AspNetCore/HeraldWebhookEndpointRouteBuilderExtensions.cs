using Herald.Receiver.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Herald webhook endpoint.</summary>
public static class HeraldWebhookEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c>: checks the source address (when an allow-list is set), reads
    /// the raw body, verifies <c>x-timestamp</c>/<c>x-signature</c>, writes the event to the durable inbox and
    /// answers 200 once it is committed (also for a duplicate id). Answers 400 for bad signatures or bodies, 403
    /// for a source outside the allow-list, 413 for oversized bodies and 503 when the inbox cannot be written.
    /// </summary>
    /// <param name="endpoints">The route builder (for example the <c>WebApplication</c>).</param>
    /// <param name="pattern">The route, for example <c>/webhooks/airwallex</c>.</param>
    /// <returns>The endpoint's convention builder (add rate limiting, host filters…).</returns>
    public static IEndpointConventionBuilder MapHeraldWebhooks(this IEndpointRouteBuilder endpoints, string pattern = "/webhooks")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var endpoint = endpoints.ServiceProvider.GetService<WebhookEndpoint>()
            ?? throw new InvalidOperationException("Call services.AddHeraldReceiver(…) before app.MapHeraldWebhooks(…).");
        return endpoints.MapPost(pattern, endpoint.HandleAsync)
            .WithDisplayName("Herald webhooks " + pattern)
            .DisableAntiforgery();
    }
}
