using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Events;

public sealed class EventIngestionTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;
    private string _account = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Events:DefaultVersion"] = "2025-01-01" });
        _account = await _server.CreateAccountAsync();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private JsonObject Event(string id, string dataJson = "{\"object\":{\"id\":\"int_1\"}}") => new()
    {
        ["id"] = id, ["name"] = "payment_intent.created", ["account_id"] = _account, ["data"] = JsonNode.Parse(dataJson),
    };

    [Fact]
    public async Task Repeating_an_id_with_the_same_content_answers_200_with_the_stored_event()
    {
        using var first = await _server.Client.PostAsync("/api/v1/events/create", HeraldTestServer.Json(Event("evt_same")));
        _server.Advance(TimeSpan.FromMinutes(1));
        using var second = await _server.Client.PostAsync("/api/v1/events/create", HeraldTestServer.Json(Event("evt_same")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Repeating_an_id_with_other_content_answers_409_duplicate_request()
    {
        await _server.PostAsync("/api/v1/events/create", Event("evt_conflict"));
        using var response = await _server.Client.PostAsync("/api/v1/events/create", HeraldTestServer.Json(Event("evt_conflict", "{\"object\":{\"id\":\"int_2\"}}")));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("duplicate_request", error.GetProperty("code").GetString());
        Assert.Equal("id", error.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Created_at_and_version_are_written_back_in_the_envelope_format()
    {
        var request = Event("evt_times");
        request["created_at"] = "2026-01-02T05:04:05.678+02:00";
        var withVersion = Event("evt_version");
        withVersion["version"] = "2026-02-27";

        var stored = await _server.PostAsync("/api/v1/events/create", request);
        var versioned = await _server.PostAsync("/api/v1/events/create", withVersion);

        Assert.Equal("2026-01-02T03:04:05+0000", stored["created_at"]!.GetValue<string>());
        Assert.Equal("2025-01-01", stored["version"]!.GetValue<string>());
        Assert.Equal("2026-02-27", versioned["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_without_an_id_gets_a_generated_one()
    {
        var request = Event("x");
        request.Remove("id");

        var stored = await _server.PostAsync("/api/v1/events/create", request);

        Assert.StartsWith("evt_", stored["id"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_stores_every_event_and_fans_each_out()
    {
        var receiverUrl = "http://127.0.0.1:9/unused";
        await _server.CreateWebhookAsync(_account, receiverUrl, "payment_intent.created");
        var batch = new JsonObject { ["events"] = new JsonArray([.. Enumerable.Range(0, 25).Select(i => (JsonNode)Event($"evt_batch_{i}"))]) };

        var stored = await _server.PostAsync("/api/v1/events/batch_create", batch);
        var deliveries = await _server.DeliveriesAsync("?page_size=1000");

        Assert.Equal(25, stored["items"]!.AsArray().Count);
        Assert.Equal(25, deliveries.Count);
    }

    [Fact]
    public async Task Events_can_be_listed_by_name_and_time_and_paged()
    {
        for (var i = 0; i < 5; i++)
        {
            await _server.PostAsync("/api/v1/events/create", Event($"evt_page_{i}"));
            _server.Advance(TimeSpan.FromMinutes(1));
        }

        var refund = Event("evt_refund");
        refund["name"] = "refund.received";
        await _server.PostAsync("/api/v1/events/create", refund);

        var first = await _server.GetAsync("/api/v1/events?name=payment_intent.created&page_size=2");
        var third = await _server.GetAsync("/api/v1/events?name=payment_intent.created&page_size=2&page_num=2");
        var window = await _server.GetAsync("/api/v1/events?from_created_at=2026-05-20T13:55:20Z&to_created_at=2026-05-20T13:56:20Z");

        Assert.Equal(["evt_page_4", "evt_page_3"], first["items"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
        Assert.True(first["has_more"]!.GetValue<bool>());
        Assert.Equal(["evt_page_0"], third["items"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
        Assert.False(third["has_more"]!.GetValue<bool>());
        Assert.Equal(["evt_page_2", "evt_page_1"], window["items"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_event_catalog_lists_every_name_without_authentication()
    {
        var types = await _server.GetAsync("/api/v1/event_types", _server.Anonymous);

        Assert.Equal(42, types["items"]!.AsArray().Count);
        Assert.Contains(types["items"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "partner_connection.disconnected");
    }
}
