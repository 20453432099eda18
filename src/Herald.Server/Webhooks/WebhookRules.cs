using Herald.Contracts.Events;
using Herald.Server.Api;
using Herald.Server.Storage;

namespace Herald.Server.Webhooks;

/// <summary>What a webhook may be: an absolute URL (https outside dev mode), a catalog subscription, a secret.</summary>
internal static class WebhookRules
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 512;
    public const int MaxSecretLength = 256;

    public static string NewSecret() => "whsec_" + Ids.RandomBase64Url(32);

    public static string ValidateUrl(string? url, bool dev)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw ApiException.Validation("url is required: the endpoint Herald will POST events to.", "url");
        }

        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw ApiException.Validation("url must be an absolute http(s) URL of at most 2048 characters.", "url");
        }

        if (!dev && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw ApiException.Validation("url must use https; plain http is allowed only when the server runs with --dev.", "url");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw ApiException.Validation("url must not carry credentials; Herald signs each request with the webhook secret instead.", "url");
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            throw ApiException.Validation("url must not have a #fragment.", "url");
        }

        return uri.ToString();
    }

    /// <summary>Checks the subscription: exactly one of a non-empty <c>events</c> list or <c>all_events: true</c>.</summary>
    public static (string EventList, bool AllEvents) ValidateSubscription(IReadOnlyList<string>? events, bool? allEvents, bool isAppWebhook)
    {
        var hasEvents = events is { Count: > 0 };
        if (allEvents == true && hasEvents)
        {
            throw ApiException.Validation("Give either events or all_events: true, not both.", "events");
        }

        if (allEvents == true)
        {
            return (string.Empty, true);
        }

        if (!hasEvents)
        {
            throw ApiException.Validation("events is required: a non-empty list of event names (GET /api/v1/event_types), or all_events: true.", "events");
        }

        for (var i = 0; i < events!.Count; i++)
        {
            var name = events[i];
            if (!EventCatalog.TryGet(name ?? string.Empty, out var type))
            {
                throw ApiException.Validation($"Unknown event name '{name}'; GET /api/v1/event_types lists the accepted names.", $"events[{i}]");
            }

            if (type.IsPartnerLevel && !isAppWebhook)
            {
                throw ApiException.Validation($"{type.Name} is delivered only to partner app webhooks (/partner-api/v1/webhooks).", $"events[{i}]");
            }
        }

        return (string.Join(',', events.Distinct(StringComparer.Ordinal)), false);
    }

    public static string? ValidateSecret(string? secret)
    {
        if (secret is null)
        {
            return NewSecret();
        }

        if (secret.Length == 0)
        {
            return null; // the creator asked for unsigned deliveries
        }

        if (secret.Length is < 8 or > MaxSecretLength || secret.Any(char.IsWhiteSpace))
        {
            throw ApiException.Validation("secret must be 8 to 256 characters without spaces, or \"\" for no signature.", "secret");
        }

        return secret;
    }

    public static string? ValidateDescription(string? description) =>
        description is { Length: > MaxDescriptionLength }
            ? throw ApiException.Validation($"description must be at most {MaxDescriptionLength} characters.", "description")
            : description;
}
