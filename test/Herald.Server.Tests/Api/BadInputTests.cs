using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

/// <summary>Every bad request answers a 4xx with the contract's error object, never a 500.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;
    private string _account = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HeraldTestServer.StartAsync();
        _account = await _server.CreateAccountAsync();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Error)> SendAsync(string path, string body, HttpClient? client = null, string method = "POST")
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await (client ?? _server.Client).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
        var error = JsonDocument.Parse(text).RootElement;
        Assert.True(error.TryGetProperty("code", out _), $"no code in {text}");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return (response.StatusCode, error);
    }

    public static TheoryData<string, string, string?> BadEvents => new()
    {
        { "{not json", "validation_error", null },
        { "[]", "validation_error", null },
        { "null", "validation_error", null },
        { "{\"name\":\"payment_intent.exploded\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{\"id\":\"x\"}}}", "validation_error", "name" },
        { "{\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{\"id\":\"x\"}}}", "validation_error", "name" },
        { "{\"name\":\"refund.received\",\"data\":{\"object\":{\"id\":\"x\"}}}", "validation_error", "account_id" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\"}", "validation_error", "data" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{}}", "validation_error", "data.object" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":[1]}}", "validation_error", "data.object" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{},\"extra\":1}}", "validation_error", "data.extra" },
        { "{\"name\":\"refund.failed\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{},\"error\":{\"message\":\"m\"}}}", "validation_error", "data.error.code" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{}},\"id\":\"has spaces\"}", "validation_error", "id" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{}},\"created_at\":\"yesterday\"}", "validation_error", "created_at" },
        { "{\"name\":\"refund.received\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{}},\"name_typo\":1}", "validation_error", "name_typo" },
        { "{\"name\":42,\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{}}}", "validation_error", "name" },
        { "{\"name\":\"partner_connection.disconnected\",\"account_id\":\"ACCOUNT\",\"data\":{\"object\":{}}}", "validation_error", "name" },
        { "{\"name\":\"refund.received\",\"account_id\":\"acct_missing\",\"data\":{\"object\":{}}}", "not_found", "account_id" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task A_bad_event_is_refused_with_a_4xx_error_naming_the_field(string body, string code, string? source)
    {
        var (status, error) = await SendAsync("/api/v1/events/create", body.Replace("ACCOUNT", _account, StringComparison.Ordinal));

        Assert.Equal(code == "not_found" ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, status);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(source, error.TryGetProperty("source", out var s) ? s.GetString() : null);
        Assert.Empty((await _server.GetAsync("/api/v1/events"))["items"]!.AsArray());
    }

    public static TheoryData<string, string> BadWebhooks => new()
    {
        { "{\"account_id\":\"ACCOUNT\",\"events\":[\"refund.received\"]}", "url" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"not a url\",\"events\":[\"refund.received\"]}", "url" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"ftp://example.com/x\",\"events\":[\"refund.received\"]}", "url" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://user:pw@example.com/x\",\"events\":[\"refund.received\"]}", "url" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\"}", "events" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\",\"events\":[]}", "events" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\",\"events\":[\"refund.received\"],\"all_events\":true}", "events" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\",\"events\":[\"refund.nope\"]}", "events[0]" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\",\"events\":[\"partner_connection.disconnected\"]}", "events[0]" },
        { "{\"account_id\":\"ACCOUNT\",\"url\":\"https://example.com/x\",\"all_events\":true,\"secret\":\"short\"}", "secret" },
        { "{\"url\":\"https://example.com/x\",\"all_events\":true}", "account_id" },
    };

    [Theory]
    [MemberData(nameof(BadWebhooks))]
    public async Task A_bad_webhook_is_refused_with_a_400_naming_the_field(string body, string source)
    {
        var (status, error) = await SendAsync("/api/v1/webhooks/create", body.Replace("ACCOUNT", _account, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("validation_error", error.GetProperty("code").GetString());
        Assert.Equal(source, error.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_body_over_256_KiB_answers_413_payload_too_large()
    {
        var big = $"{{\"name\":\"refund.received\",\"account_id\":\"{_account}\",\"data\":{{\"object\":{{\"id\":\"x\",\"pad\":\"{new string('a', 300 * 1024)}\"}}}}}}";

        var (status, error) = await SendAsync("/api/v1/events/create", big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("payload_too_large", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_missing_key_answers_401_unauthorized()
    {
        var (status, error) = await SendAsync("/api/v1/webhooks", string.Empty, _server.Anonymous, "GET");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("Bearer hk_not_a_real_key")]
    [InlineData("Bearer ")]
    [InlineData("Basic Zm9vOmJhcg==")]
    [InlineData("hk_admin_test_0123456789abcdef")]
    public async Task A_wrong_or_malformed_key_answers_401_unauthorized(string authorization)
    {
        using var client = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        var (status, error) = await SendAsync("/api/v1/events/create", "{}", client);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_account_key_cannot_use_operator_routes()
    {
        var key = await _server.PostAsync("/api/v1/api_keys/create", new System.Text.Json.Nodes.JsonObject { ["account_id"] = _account });
        using var client = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key["key"]!.GetValue<string>());

        var (status, error) = await SendAsync("/api/v1/accounts/create", "{\"name\":\"sneaky\"}", client);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthorized", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/v1/deliveries?status=exploded", "status")]
    [InlineData("/api/v1/deliveries?page_size=0", "page_size")]
    [InlineData("/api/v1/deliveries?page_size=1001", "page_size")]
    [InlineData("/api/v1/events?page_num=-1", "page_num")]
    [InlineData("/api/v1/events?from_created_at=soon", "from_created_at")]
    [InlineData("/api/v1/events?name=nope.nope", "name")]
    public async Task Bad_query_parameters_answer_400_naming_the_parameter(string path, string source)
    {
        var (status, error) = await SendAsync(path, string.Empty, method: "GET");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(source, error.GetProperty("source").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/webhooks/wh_missing")]
    [InlineData("GET", "/api/v1/deliveries/dlv_missing")]
    [InlineData("GET", "/api/v1/events/evt_missing")]
    [InlineData("GET", "/api/v1/no_such_route")]
    [InlineData("POST", "/api/v1/webhooks/wh_missing/update")]
    public async Task Unknown_objects_and_routes_answer_404_not_found(string method, string path)
    {
        var (status, error) = await SendAsync(path, "{}", method: method);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/api/v1/webhooks/wh_missing")]
    [InlineData("/api/v1/deliveries/dlv_missing")]
    [InlineData("/api/v1/events/evt_missing")]
    [InlineData("/api/v1/accounts/acct_missing")]
    public async Task A_missing_object_named_in_the_path_is_a_404_whose_source_is_the_id(string path)
    {
        var (status, error) = await SendAsync(path, string.Empty, method: "GET");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("id", error.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Retriggering_more_than_fifty_deliveries_is_refused()
    {
        var ids = string.Join(',', Enumerable.Range(0, 51).Select(i => $"\"dlv_{i}\""));

        var (status, error) = await SendAsync("/api/v1/deliveries/retrigger", $"{{\"ids\":[{ids}]}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ids", error.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_stores_nothing_and_names_the_index()
    {
        var good = $"{{\"name\":\"refund.received\",\"account_id\":\"{_account}\",\"data\":{{\"object\":{{\"id\":\"r1\"}}}}}}";
        var bad = $"{{\"name\":\"refund.nope\",\"account_id\":\"{_account}\",\"data\":{{\"object\":{{\"id\":\"r2\"}}}}}}";

        var (status, error) = await SendAsync("/api/v1/events/batch_create", $"{{\"events\":[{good},{good},{bad}]}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("events[2].name", error.GetProperty("source").GetString());
        Assert.Empty((await _server.GetAsync("/api/v1/events"))["items"]!.AsArray());
    }
}
