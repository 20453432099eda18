using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Contracts.Events;
using Herald.Contracts.Samples;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Events;

public sealed class SamplePublishingTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HeraldTestServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Every_account_event_sample_is_accepted_and_stored_with_its_data_unchanged()
    {
        var account = await _server.CreateAccountAsync();
        foreach (var type in EventCatalog.All.Where(t => !t.IsPartnerLevel))
        {
            var data = Encoding.UTF8.GetString(EventSamples.GetData(type.Name).Span);

            var stored = await _server.PostAsync("/api/v1/events/create", new JsonObject
            {
                ["name"] = type.Name, ["account_id"] = account, ["data"] = JsonNode.Parse(data),
            });

            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(data), stored["data"]), type.Name);
        }

        var listed = await _server.GetAsync("/api/v1/events?page_size=1000");
        Assert.Equal(EventCatalog.All.Count - 1, listed["items"]!.AsArray().Count);
    }
}
