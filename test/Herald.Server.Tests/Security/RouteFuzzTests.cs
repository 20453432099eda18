using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Fluent;
using Herald.Core.Dispatch;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using FsGen = FsCheck.Fluent.Gen;

namespace Herald.Server.Tests.Security;

/// <summary>
/// Property: whatever a client sends to any route (right or wrong method, hostile path and query values, any
/// credential, bodies built from the route's own fields filled with hostile values, then mangled: repeated keys,
/// invalid UTF-8, truncation, nesting, random bytes), Herald never answers 5xx. Runs on the suite's store (SQLite, or
/// PostgreSQL with HERALD_TEST_STORAGE=postgres) and prints how many inputs it tried and how many answered 5xx.
/// </summary>
public sealed class RouteFuzzTests : IAsyncLifetime
{
    private const int Inputs = 2500;

    private HeraldTestServer _server = null!;
    private Setup _setup = null!;

    private sealed record Setup(string Account, string AccountKey, string OrgId, string WebhookId, string EventId, string DeliveryId, string AppId, string ClientId, string ClientSecret);

    private sealed record Input(string Method, string Path, string Auth, string? ContentType, byte[]? Body)
    {
        public override string ToString() =>
            $"{Method} {Path} auth={Auth} type={ContentType} body={(Body is null ? "none" : Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 400))))} ({Body?.Length ?? 0} bytes): {(Body is null ? string.Empty : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 400))))}";
    }

    public async ValueTask InitializeAsync()
    {
        // Production mode behind a dialer that resolves everything to loopback: whatever URL the fuzz makes a webhook
        // or a test send go to is refused by the guard, and nothing can leave this machine.
        _server = await HeraldTestServer.StartAsync(
            new Dictionary<string, string?> { ["Herald:Dev"] = "false", ["Herald:RateLimits:Enabled"] = "false" },
            services: services => services.AddSingleton<NetworkDialer>(new LoopbackDialer { Target = new IPEndPoint(IPAddress.Loopback, 9) }));
        var org = (await _server.PostAsync("/api/v1/organizations/create", new JsonObject { ["name"] = "Fuzz Org" }))["id"]!.GetValue<string>();
        var account = await _server.CreateAccountAsync("Fuzz", org);
        var key = (await _server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account }))["key"]!.GetValue<string>();
        var app = await _server.PostAsync("/api/v1/apps/create", new JsonObject { ["name"] = "Fuzz App" });
        var webhook = (await _server.CreateWebhookAsync(account, "https://127.0.0.1:9/hook", "refund.received"))["id"]!.GetValue<string>();
        var published = await _server.PublishAsync(account, "refund.received", id: "evt_fuzz");
        var delivery = (await _server.DeliveriesAsync("?event_id=evt_fuzz"))[0]!["id"]!.GetValue<string>();
        _setup = new Setup(account, key, org, webhook, published["id"]!.GetValue<string>(), delivery,
            app["app_id"]!.GetValue<string>(), app["client_id"]!.GetValue<string>(), app["client_secret"]!.GetValue<string>());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task No_input_to_any_route_answers_5xx()
    {
        var routes = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => !r.Pattern.Contains("stream", StringComparison.Ordinal))
            .Distinct()
            .ToArray();
        Assert.True(routes.Length >= 30, $"only {routes.Length} routes found");

        var inputs = FsGen.Sample(InputGen(routes), Inputs, 30);
        var failures = new List<string>();
        var byStatus = new SortedDictionary<int, int>();
        // Headers go out as raw UTF-8, as a careless client would send them (HttpClient refuses non-ASCII otherwise).
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var client = new HttpClient(handler) { BaseAddress = _server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var input in inputs)
        {
            using var request = new HttpRequestMessage(new HttpMethod(input.Method), input.Path);
            if (input.Auth.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Authorization", input.Auth);
            }

            if (input.Body is not null)
            {
                request.Content = new ByteArrayContent(input.Body);
                if (input.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
                }
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                failures.Add($"{status} {await response.Content.ReadAsStringAsync()} <- {input}");
            }
        }

        var store = HeraldTestServer.UsePostgres ? "PostgreSQL" : "SQLite";
        var summary = $"Route fuzz on {store}: {inputs.Length} inputs over {routes.Length} routes, {failures.Count} answered 5xx; statuses {string.Join(", ", byStatus.Select(p => $"{p.Key}x{p.Value}"))}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(20)));
    }

    private FsCheck.Gen<Input> InputGen((string Method, string Pattern)[] routes)
    {
        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
        var route = FsGen.Elements(routes);
        var method = FsGen.Frequency((9, FsGen.Constant<string?>(null)), (1, FsGen.Elements(methods).Select(m => (string?)m)));
        var anyAuth = FsGen.Elements(
            $"Bearer {HeraldTestServer.AdminKey}", $"Bearer {_setup.AccountKey}", Basic(_setup.ClientId, _setup.ClientSecret), Basic("client\0id", "x"), Basic("\ud800", "x"),
            "Basic !!!notbase64", "Bearer ", "Bearer hk_\u00e9\u00e9", string.Empty, "Digest x", "Basic " + Convert.ToBase64String([0xff, 0xfe, 0x3a, 0x00]));
        FsCheck.Gen<string> AuthFor(string pattern) => FsGen.Frequency(
            (3, pattern.StartsWith("/partner-api", StringComparison.Ordinal)
                ? FsGen.Constant(Basic(_setup.ClientId, _setup.ClientSecret))
                : FsGen.Elements($"Bearer {HeraldTestServer.AdminKey}", $"Bearer {_setup.AccountKey}")),
            (1, anyAuth));
        var query = FsGen.Choose(0, 3).SelectMany(n => FsGen.Zip(FsGen.Elements(QueryNames), TextValue()).ArrayOf(n)).Select(pairs =>
            pairs.Length == 0 ? string.Empty : "?" + string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}")));
        var contentType = FsGen.Frequency((8, FsGen.Constant<string?>("application/json")), (1, FsGen.Constant<string?>("text/plain")), (1, FsGen.Constant<string?>(null)));
        return from r in route
               from m in method
               from id in FsGen.Frequency((3, FsGen.Elements(_setup.WebhookId, _setup.DeliveryId, _setup.EventId, _setup.Account)), (2, TextValue()))
               from q in query
               from a in AuthFor(r.Pattern)
               from ct in contentType
               from body in Body(r.Pattern)
               select new Input(m ?? r.Method, r.Pattern.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal) + q, a, ct, (m ?? r.Method) is "GET" or "DELETE" ? null : body);
    }

    private static string Basic(string clientId, string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}"));

    private static readonly string[] QueryNames = ["page_num", "page_size", "account_id", "webhook_id", "event_id", "status", "name", "from_created_at", "to_created_at", "app_id", "x\0y"];

    /// <summary>Strings as a hostile or careless client sends them (escaped later where a JSON body needs it).</summary>
    private FsCheck.Gen<string> TextValue() => FsGen.Frequency(
        (6, FsGen.Elements(
            string.Empty, "\0", "a\0b", "\u0001", "\u001b[31m", "\n", "evt_1\n", "\u007f", "\ud800", "\udfff", "\ud83d\ude00", "\uFFFD",
            "0", "-1", "1e400", "99999999999999999999", "NaN", "null", "true", "' OR 1=1 --", "%00", "../../etc/passwd", "<script>",
            "refund.received", "payment_intent.succeeded", "partner_connection.disconnected", "ENABLED", "DISABLED", "queued", "ACTIVE",
            "2026-05-20T13:54:20+0000", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+0000", "2026-02-30T00:00:00Z",
            "https://127.0.0.1:9/x", "http://[::1]:9/", "https://localhost:9/", "ftp://127.0.0.1/", "https://user:pw@127.0.0.1/", "https://127.0.0.1/#f",
            _setup.Account, _setup.OrgId, _setup.WebhookId, _setup.EventId, _setup.DeliveryId, _setup.AppId, "whsec_0123456789abcdef")),
        (3, FsGen.Elements('a', 'Z', '9', '_', '-', '.', ' ', '\u00e9', '\0', '\ud800').ArrayOf().Select(chars => new string(chars))),
        (1, FsGen.Choose(1, 12_000).Select(n => new string('x', n))));

    /// <summary>A JSON value as raw text: hostile strings (escaped as JSON would, lone surrogates as \u escapes), odd numbers, nesting.</summary>
    private FsCheck.Gen<string> JsonValue() => FsGen.Frequency(
        (6, TextValue().Select(JsonString)),
        (2, FsGen.Elements("0", "-0", "1.5", "1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "0.0000001", "3600", "true", "false", "null", "[]", "{}")),
        (1, TextValue().ArrayOf(3).Select(items => "[" + string.Join(',', items.Select(JsonString)) + "]")),
        (1, FsGen.Choose(1, 300).Select(depth => new string('[', depth) + new string(']', depth))),
        (1, FsGen.Constant("{\"object\":{\"id\":\"x\",\"amount\":10.50,\"nested\":{\"k\":\"\\ud800\",\"k\":1}}}")));

    private static string JsonString(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' or (>= '\ud800' and <= '\udfff') => builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        ["organizations/create"] = ["name"],
        ["accounts/create"] = ["name", "org_id"],
        ["api_keys/create"] = ["account_id", "org_id"],
        ["apps/create"] = ["name"],
        ["events/create"] = ["id", "name", "account_id", "data", "created_at", "version"],
        ["webhooks/create"] = ["account_id", "url", "events", "all_events", "secret", "description"],
        ["update"] = ["url", "events", "all_events", "description", "status"],
        ["rotate_secret"] = ["activate_after_seconds"],
        ["test"] = ["name"],
        ["deliveries/retrigger"] = ["ids"],
        ["connections/create"] = ["app_id", "account_id"],
        ["connections/disconnect"] = ["app_id", "account_id", "account_ids", "org_id"],
    };

    /// <summary>A well-formed value for each field a route reads, so that some requests get through to the stores.</summary>
    private string ValidValue(string field) => field switch
    {
        "name" => "\"refund.received\"",
        "account_id" => $"\"{_setup.Account}\"",
        "org_id" => $"\"{_setup.OrgId}\"",
        "id" => $"\"evt_{Guid.NewGuid():N}\"",
        "data" => "{\"object\":{\"id\":\"r1\",\"amount\":10.50,\"note\":\"caf\u00e9 \\u0000\"}}",
        "created_at" => "\"2026-05-20T13:54:20+0000\"",
        "version" => "\"2026-02-27\"",
        "url" => "\"https://127.0.0.1:9/hook\"",
        "events" => "[\"refund.received\"]",
        "all_events" => "true",
        "secret" => "\"whsec_0123456789abcdef\"",
        "description" => "\"a webhook\"",
        "status" => "\"DISABLED\"",
        "activate_after_seconds" => "60",
        "ids" => $"[\"{_setup.DeliveryId}\"]",
        "app_id" => $"\"{_setup.AppId}\"",
        "account_ids" => $"[\"{_setup.Account}\"]",
        _ => "\"x\"",
    };

    private FsCheck.Gen<byte[]?> Body(string pattern)
    {
        var fields = Fields.FirstOrDefault(f => pattern.EndsWith(f.Key, StringComparison.Ordinal)).Value ?? ["name", "id"];

        // Each field of the route: left out, well-formed, or hostile; now and then a field the route does not know.
        var members = fields.Select(field => FsGen.Frequency(
            (1, FsGen.Constant<string?>(null)),
            (7, FsGen.Constant<string?>(null).Select(_ => (string?)$"\"{field}\":{ValidValue(field)}")),
            (2, JsonValue().Select(value => (string?)$"\"{field}\":{value}"))));
        var extra = FsGen.Frequency((9, FsGen.Constant<string?>(null)), (1, FsGen.Elements("unknown", "", "\\ud800", "Name").SelectMany(n => JsonValue().Select(v => (string?)$"\"{n}\":{v}"))));
        var obj = FsGen.CollectToArray(members.Append(extra)).Select(parts => "{" + string.Join(',', parts.Where(p => p is not null)) + "}");
        var text = pattern.EndsWith("batch_create", StringComparison.Ordinal)
            ? FsGen.Choose(0, 3).SelectMany(n => Body("events/create").Where(b => b is not null).ArrayOf(n)).Select(events => "{\"events\":[" + string.Join(',', events.Select(e => Encoding.UTF8.GetString(e!))) + "]}")
            : obj;
        var duplicate = FsGen.Elements(fields).SelectMany(field => JsonValue().Select(value => $"\"{field}\":{value}"));
        return FsGen.Frequency(
            (12, text.Select(t => (byte[]?)Encoding.UTF8.GetBytes(t))),
            (2, from t in text from dup in duplicate select (byte[]?)Encoding.UTF8.GetBytes(t.Length > 2 ? t[..^1] + "," + dup + "}" : t)),
            (2, from t in text from at in FsGen.Choose(0, 1000) select Mangle(Encoding.UTF8.GetBytes(t), at, 0xFF)),
            (1, from t in text from at in FsGen.Choose(0, 1000) select Mangle(Encoding.UTF8.GetBytes(t), at, 0xC3)),
            (1, from t in text from at in FsGen.Choose(0, 1000) select (byte[]?)Encoding.UTF8.GetBytes(t)[..Math.Min(at, Encoding.UTF8.GetByteCount(t))]),
            (1, FsGen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(bytes => (byte[]?)bytes)),
            (1, FsGen.Constant<byte[]?>(null)),
            (1, FsGen.Constant<byte[]?>([])));
    }

    private static byte[]? Mangle(byte[] bytes, int at, byte value)
    {
        if (bytes.Length > 0)
        {
            bytes[at % bytes.Length] = value;
        }

        return bytes;
    }
}
