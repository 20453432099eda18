using System.Net;
using System.Text.Json;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>The OpenAPI document is complete enough to build a client from, and its interactive reference works offline.</summary>
public sealed class ApiReferenceTests : IAsyncLifetime
{
    private const string ErrorReference = "#/components/schemas/ApiError";
    private HeraldTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HeraldTestServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await _server.Anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Route, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(method => method.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(method => ($"{method.Name.ToUpperInvariant()} {path.Name}", method.Value)));

    private static bool HasSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content)
        && content.TryGetProperty("application/json", out var json)
        && json.TryGetProperty("schema", out var schema)
        && schema.EnumerateObject().Any();

    /// <summary>The event stream answers Server-Sent Events, described as a string schema.</summary>
    private static bool HasEventStreamSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content)
        && content.TryGetProperty("text/event-stream", out var stream)
        && stream.TryGetProperty("schema", out var schema)
        && schema.TryGetProperty("type", out var type) && type.GetString() == "string";

    private static string? SchemaReference(JsonElement response) =>
        HasSchema(response) && response.GetProperty("content").GetProperty("application/json").GetProperty("schema").TryGetProperty("$ref", out var reference)
            ? reference.GetString()
            : null;

    [Fact]
    public async Task Every_route_documents_its_request_body_its_success_body_and_the_error_object()
    {
        var document = await DocumentAsync();
        var problems = new List<string>();

        foreach (var (route, operation) in Operations(document))
        {
            var takesBody = route.StartsWith("POST ", StringComparison.Ordinal) && !route.EndsWith("/delete", StringComparison.Ordinal);
            if (takesBody && !(operation.TryGetProperty("requestBody", out var body) && HasSchema(body)))
            {
                problems.Add($"{route}: no request body schema");
            }

            var responses = operation.GetProperty("responses").EnumerateObject().ToList();
            if (!responses.Any(r => r.Name.StartsWith('2') && (HasSchema(r.Value) || HasEventStreamSchema(r.Value))))
            {
                problems.Add($"{route}: no success response schema");
            }

            // Readiness answers its own body with 503 (a probe reads the status); every other failure is the error object.
            foreach (var response in responses.Where(r => r.Name[0] is '4' or '5' && !(route == "GET /readyz" && r.Name == "503")))
            {
                if (SchemaReference(response.Value) != ErrorReference)
                {
                    problems.Add($"{route}: {response.Name} does not answer the error object");
                }
            }

            if (!responses.Any(r => r.Name == "500"))
            {
                problems.Add($"{route}: 500 is not documented");
            }

            if (route.Contains("/api/v1/", StringComparison.Ordinal) && !route.EndsWith("/event_types", StringComparison.Ordinal) && !responses.Any(r => r.Name == "401"))
            {
                problems.Add($"{route}: 401 is not documented");
            }

            if (!operation.TryGetProperty("summary", out _))
            {
                problems.Add($"{route}: no summary");
            }
        }

        Assert.Empty(problems);
        Assert.True(Operations(document).Count() >= 35, "The document lists too few routes; did the API stop being mapped?");
    }

    [Fact]
    public async Task The_error_object_and_the_main_bodies_come_with_examples()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        var error = schemas.GetProperty("ApiError").GetProperty("properties");
        Assert.True(error.TryGetProperty("code", out _) && error.TryGetProperty("message", out _) && error.TryGetProperty("source", out _));
        foreach (var name in new[] { "CreateWebhookRequest", "WebhookResponse", "CreateEventRequest", "EventEnvelope", "DeliveryResponse", "DeliveryStatsResponse", "DisconnectResponse" })
        {
            Assert.True(schemas.GetProperty(name).TryGetProperty("examples", out var examples) && examples.GetArrayLength() > 0, $"{name} has no example");
        }
    }

    [Fact]
    public async Task Every_property_of_every_body_says_what_type_it_holds()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        var untyped = new List<string>();
        foreach (var schema in schemas.EnumerateObject())
        {
            foreach (var property in schema.Value.TryGetProperty("properties", out var properties) ? properties.EnumerateObject() : [])
            {
                if (!Describes(property.Value))
                {
                    untyped.Add($"{schema.Name}.{property.Name}");
                }
            }
        }

        Assert.Empty(untyped);
        var account = schemas.GetProperty("AccountResponse").GetProperty("properties");
        Assert.Equal("string", account.GetProperty("id").GetProperty("type").GetString());
        Assert.Equal(["null", "string"], account.GetProperty("org_id").GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
        foreach (var body in new[] { "WebhookResponse", "CreateWebhookRequest" })
        {
            var events = schemas.GetProperty(body).GetProperty("properties").GetProperty("events");
            Assert.Equal("string", events.GetProperty("items").GetProperty("type").GetString());
        }
    }

    /// <summary>A type, a reference, or a combination of them; <c>data</c> (any JSON object) says <c>object</c>. Not <c>{}</c>.</summary>
    private static bool Describes(JsonElement schema) =>
        schema.TryGetProperty("type", out _) || schema.TryGetProperty("$ref", out _)
        || schema.TryGetProperty("oneOf", out _) || schema.TryGetProperty("anyOf", out _) || schema.TryGetProperty("allOf", out _);

    [Fact]
    public async Task The_interactive_reference_is_served_with_its_script_from_this_server()
    {
        using var page = await _server.Anonymous.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await _server.Anonymous.GetAsync("/docs/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("src=\"scalar.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src 'self' 'nonce-", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }
}
