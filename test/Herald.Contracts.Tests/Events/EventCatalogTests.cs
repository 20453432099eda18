using Herald.Contracts.Events;
using Herald.Contracts.Samples;
using System.Text.Json;

namespace Herald.Contracts.Tests.Events;

public sealed class EventCatalogTests
{
    [Fact]
    public void The_catalog_holds_every_seed_event_plus_partner_connection_disconnected()
    {
        Assert.Equal(42, EventCatalog.All.Count);
        Assert.Equal(EventCatalog.All.Count, EventCatalog.All.Select(t => t.Name).Distinct().Count());
        Assert.True(EventCatalog.Contains("payment_attempt.risk_declined"));
        Assert.True(EventCatalog.Contains("dispute.dispute_reversed"));
        Assert.True(EventCatalog.Contains(EventCatalog.PartnerConnectionDisconnected));
        Assert.Single(EventCatalog.All, t => t.IsPartnerLevel);
    }

    [Theory]
    [InlineData("payment_intent.Succeeded")]
    [InlineData("payment_intent")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_or_differently_cased_names_are_not_in_the_catalog(string? name)
    {
        Assert.False(EventCatalog.Contains(name));
    }

    public static TheoryData<string> Names => [.. EventCatalog.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_catalog_event_has_a_sample_data_object(string name)
    {
        using var document = JsonDocument.Parse(EventSamples.GetData(name));

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        if (name == EventCatalog.PartnerConnectionDisconnected)
        {
            Assert.NotEmpty(document.RootElement.GetProperty("account_ids").EnumerateArray());
            Assert.Equal("user_initiated", document.RootElement.GetProperty("reason").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("object").ValueKind);
            Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("object").GetProperty("id").GetString()));
        }
    }
}
