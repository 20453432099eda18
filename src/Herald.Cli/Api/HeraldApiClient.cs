using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Cli.Configuration;

namespace Herald.Cli.Api;

/// <summary>A successful API answer: the exact body bytes (for <c>--json</c>) and the parsed root.</summary>
internal sealed class ApiResponse
{
    public ApiResponse(int statusCode, byte[] body)
    {
        StatusCode = statusCode;
        Body = body;
        try
        {
            using var document = JsonDocument.Parse(body);
            Root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new CliException(ExitCodes.Unavailable, $"The server answered {statusCode} with a body that is not JSON ({exception.Message}); is the URL a Herald server?");
        }
    }

    public int StatusCode { get; }

    public byte[] Body { get; }

    public JsonElement Root { get; }
}

/// <summary>
/// Calls the Herald HTTP API with the resolved URL and key. Every failure becomes a <see cref="CliException"/>:
/// the API's error object (<c>{code, message, source}</c>) as one readable line with exit code 3, an unreachable
/// server, a timeout or a 5xx with exit code 4.
/// </summary>
internal sealed class HeraldApiClient : IDisposable
{
    public static readonly ProductInfoHeaderValue UserAgent = new("herald-cli", CliVersion.Current);

    private readonly HttpClient _http;

    public HeraldApiClient(CliSettings settings, TimeSpan? timeout = null)
    {
        Settings = settings;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = settings.BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        if (settings.ApiKey is { } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        }
    }

    public CliSettings Settings { get; }

    public Task<ApiResponse> GetAsync(string pathAndQuery, CancellationToken cancellationToken, string? unauthorizedHint = null) =>
        SendAsync(HttpMethod.Get, pathAndQuery, null, unauthorizedHint, cancellationToken);

    public Task<ApiResponse> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken, string? unauthorizedHint = null) =>
        SendAsync(HttpMethod.Post, path, body, unauthorizedHint, cancellationToken);

    /// <summary>Builds <c>path?name=value&amp;…</c>, leaving out empty values.</summary>
    public static string WithQuery(string path, params (string Name, string? Value)[] parameters)
    {
        var builder = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }

    public static string Segment(string id) => Uri.EscapeDataString(id);

    private async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body, string? unauthorizedHint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(exception);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unavailable, $"Herald at {Settings.Url.Value} did not answer {method} /{path.TrimStart('/')} within {_http.Timeout.TotalSeconds:0} s.");
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? new ApiResponse(status, bytes) : throw Failure(method, path, status, bytes, unauthorizedHint);
        }
    }

    public CliException Unreachable(HttpRequestException exception)
    {
        var detail = exception.InnerException?.Message ?? exception.Message;
        return new CliException(
            ExitCodes.Unavailable,
            $"Cannot reach Herald at {Settings.Url.Value} ({Settings.Url.Source}): {detail}",
            "Start a server with `herald serve --dev`, or point --url / HERALD_URL / `herald login --url` at a running one.");
    }

    /// <summary>Turns an error answer into one readable line; <c>source</c> names the field at fault.</summary>
    public CliException Failure(HttpMethod method, string path, int status, byte[] body, string? unauthorizedHint)
    {
        var (code, message, source) = ReadError(body);
        var text = new StringBuilder();
        text.Append(code ?? "error").Append(" (").Append(status).Append(')');
        text.Append(": ").Append(message ?? (body.Length == 0 ? $"{method} /{path.TrimStart('/')} failed with no details" : Truncate(Encoding.UTF8.GetString(body), 300)));
        if (source is not null)
        {
            text.Append(" [field: ").Append(source).Append(']');
        }

        string? hint = null;
        if (status == (int)HttpStatusCode.Unauthorized)
        {
            var keySource = Settings.ApiKey is { } key
                ? $"The key in use came from {key.Source}."
                : "No API key was given: pass --api-key, set HERALD_API_KEY, or run `herald login`.";
            hint = unauthorizedHint is null ? keySource : $"{unauthorizedHint} {keySource}";
        }
        else if (status == (int)HttpStatusCode.NotFound && code is null)
        {
            hint = $"Is {Settings.Url.Value} a Herald server, and a version that has this route?";
        }

        var exitCode = status >= 500 ? ExitCodes.Unavailable : ExitCodes.ApiError;
        return new CliException(exitCode, text.ToString(), hint);
    }

    private static (string? Code, string? Message, string? Source) ReadError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? (Text(root, "code"), Text(root, "message"), Text(root, "source"))
                : (null, null, null);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }

        static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    public void Dispose() => _http.Dispose();
}
