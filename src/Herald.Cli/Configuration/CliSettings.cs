namespace Herald.Cli.Configuration;

/// <summary>A resolved setting and where it came from (shown in errors, so a wrong key can be traced to its source).</summary>
internal sealed record Setting(string Value, string Source);

/// <summary>
/// The server URL and API key for this run, each taken from the first place that has it: the flag
/// (<c>--url</c>, <c>--api-key</c>), then the environment (<c>HERALD_URL</c>, <c>HERALD_API_KEY</c>), then the profile
/// <c>herald login</c> wrote, then (URL only) the default <c>http://127.0.0.1:8080</c>.
/// </summary>
internal sealed record CliSettings(Setting Url, Setting? ApiKey, string ProfilePath)
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string UrlVariable = "HERALD_URL";
    public const string ApiKeyVariable = "HERALD_API_KEY";

    public Uri BaseAddress => new(Url.Value.EndsWith('/') ? Url.Value : Url.Value + "/");

    public static CliSettings Resolve(string? urlFlag, string? apiKeyFlag)
    {
        var profilePath = ProfileStore.DefaultPath;
        LoginProfile? profile = null;

        // The profile is read only when a flag or variable leaves something open, so a broken profile never gets in the way of explicit settings.
        var urlFromEnvironment = Environment.GetEnvironmentVariable(UrlVariable);
        var keyFromEnvironment = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(urlFlag ?? urlFromEnvironment) || string.IsNullOrEmpty(apiKeyFlag ?? keyFromEnvironment))
        {
            profile = ProfileStore.Load(profilePath);
        }

        var url = First(
        [
            (urlFlag, "--url"),
            (urlFromEnvironment, UrlVariable),
            (profile?.Url, $"profile {profilePath}"),
            (DefaultUrl, "default"),
        ])!;
        var apiKey = First(
        [
            (apiKeyFlag, "--api-key"),
            (keyFromEnvironment, ApiKeyVariable),
            (profile?.ApiKey, $"profile {profilePath}"),
        ]);
        return new CliSettings(url with { Value = ValidateUrl(url.Value, url.Source) }, apiKey, profilePath);
    }

    public static string ValidateUrl(string url, string source)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.Query))
        {
            throw CliException.Usage($"The server URL '{url}' (from {source}) is not an http:// or https:// URL, e.g. {DefaultUrl}.");
        }

        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static Setting? First(ReadOnlySpan<(string? Value, string Source)> candidates)
    {
        foreach (var (value, source) in candidates)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return new Setting(value.Trim(), source);
            }
        }

        return null;
    }
}
