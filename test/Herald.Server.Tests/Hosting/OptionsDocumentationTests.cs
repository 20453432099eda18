using System.Reflection;
using Herald.Testing;

namespace Herald.Server.Tests.Hosting;

/// <summary>Every setting a feature binds is in docs/server.md's table, so a new option cannot ship undocumented.</summary>
public sealed class OptionsDocumentationTests
{
    public static TheoryData<string, Type> OptionClasses => new()
    {
        { "Herald:Api", typeof(Herald.Server.Api.ApiOptions) },
        { "Herald:Events", typeof(Herald.Core.Events.EventOptions) },
        { "Herald:Webhooks", typeof(Herald.Core.Webhooks.WebhookOptions) },
        { "Herald:Delivery", typeof(Herald.Core.Deliveries.DeliveryOptions) },
        { "Herald:Storage", typeof(Herald.Server.Storage.StorageOptions) },
        { "Herald:Retention", typeof(Herald.Core.Retention.RetentionOptions) },
        { "Herald:Secrets", typeof(Herald.Server.Storage.SecretsOptions) },
        { "Herald:RateLimits", typeof(Herald.Server.Hosting.RateLimitOptions) },
        { "Herald:Observability", typeof(Herald.Server.Observability.ObservabilityOptions) },
    };

    [Theory]
    [MemberData(nameof(OptionClasses))]
    public void Every_bindable_setting_is_documented_in_the_server_guide(string section, Type options)
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "server.md"));
        var settings = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.Name != "DataFolder")
            .Select(p => $"`{section}:{p.Name}`")
            .ToList();

        Assert.NotEmpty(settings);
        Assert.All(settings, setting => Assert.Contains(setting, guide, StringComparison.Ordinal));
    }
}
