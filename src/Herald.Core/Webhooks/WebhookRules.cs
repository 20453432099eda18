using Herald.Contracts.Events;

namespace Herald.Core.Webhooks;

/// <summary>What a webhook may be: an absolute URL (https unless allowed otherwise), a catalog subscription, a secret.</summary>
internal static class WebhookRules
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 512;
    public const int MinSecretLength = 8;
    public const int MaxSecretLength = 256;

    public static string NewSecret() => "whsec_" + Ids.RandomBase64Url(32);

    public static string ValidateUrl(string? url, bool requireHttps)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw HeraldException.Validation("url is required: the endpoint Herald will POST events to.", "url");
        }

        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw HeraldException.Validation($"url must be an absolute http(s) URL of at most {MaxUrlLength} characters.", "url");
        }

        if (requireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw HeraldException.Validation("url must use https; plain http is allowed only when the server runs with --dev.", "url");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw HeraldException.Validation("url must not carry credentials; Herald signs each request with the webhook secret instead.", "url");
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            throw HeraldException.Validation("url must not have a #fragment.", "url");
        }

        return uri.ToString();
    }

    /// <summary>Checks the subscription: exactly one of a non-empty <c>events</c> list or <c>all_events: true</c>.</summary>
    public static (IReadOnlyList<string> Events, bool AllEvents) ValidateSubscription(IReadOnlyList<string?>? events, bool? allEvents, bool isAppWebhook)
    {
        var hasEvents = events is { Count: > 0 };
        if (allEvents == true && hasEvents)
        {
            throw HeraldException.Validation("Give either events or all_events: true, not both.", "events");
        }

        if (allEvents == true)
        {
            return ([], true);
        }

        if (!hasEvents)
        {
            throw HeraldException.Validation("events is required: a non-empty list of event names (GET /api/v1/event_types), or all_events: true.", "events");
        }

        for (var i = 0; i < events!.Count; i++)
        {
            var name = events[i];
            if (!EventCatalog.TryGet(name ?? string.Empty, out var type))
            {
                throw HeraldException.Validation($"Unknown event name '{name}'; GET /api/v1/event_types lists the accepted names.", $"events[{i}]");
            }

            if (type.IsPartnerLevel && !isAppWebhook)
            {
                throw HeraldException.Validation($"{type.Name} is delivered only to partner app webhooks (/partner-api/v1/webhooks).", $"events[{i}]");
            }
        }

        return ([.. events.Distinct(StringComparer.Ordinal)!], false);
    }

    /// <summary>The secret to store: a new one when none is given, none for <c>""</c> (unsigned deliveries), else the given one.</summary>
    public static string? ValidateSecret(string? secret)
    {
        if (secret is null)
        {
            return NewSecret();
        }

        if (secret.Length == 0)
        {
            return null;
        }

        if (secret.Length is < MinSecretLength or > MaxSecretLength || secret.Any(char.IsWhiteSpace))
        {
            throw HeraldException.Validation($"secret must be {MinSecretLength} to {MaxSecretLength} characters without spaces, or \"\" for no signature.", "secret");
        }

        return secret;
    }

    public static string? ValidateDescription(string? description) =>
        description is { Length: > MaxDescriptionLength }
            ? throw HeraldException.Validation($"description must be at most {MaxDescriptionLength} characters.", "description")
            : description;
}
