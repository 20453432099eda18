using System.Net;
using System.Text.RegularExpressions;
using Herald.Server.Dashboard;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>The dashboard is served by the server itself, from files built into its assembly, under a strict policy.</summary>
public sealed partial class DashboardHostingTests : IAsyncLifetime
{
    private HeraldTestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HeraldTestServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task The_root_serves_the_dashboard_page_under_a_strict_content_security_policy()
    {
        using var response = await _server.Anonymous.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/assets/js/app.js\">", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl!.NoCache);
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_not_modified()
    {
        using var first = await _server.Anonymous.GetAsync("/assets/app.css");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/app.css");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await _server.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/css", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_missing_file_answers_the_error_object()
    {
        using var response = await _server.Anonymous.GetAsync("/assets/js/nope.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("\"code\":\"not_found\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_file_the_page_and_its_modules_load_is_served()
    {
        var assets = new DashboardAssets();
        var references = new List<string>();
        foreach (var path in assets.Paths)
        {
            var text = System.Text.Encoding.UTF8.GetString(assets.Find(path)!.Content);
            var folder = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : string.Empty;
            references.AddRange(AbsoluteAsset().Matches(text).Select(m => m.Groups[1].Value));
            references.AddRange(RelativeImport().Matches(text).Select(m => Path.GetFullPath(Path.Combine("/assets", folder, m.Groups[1].Value)).Replace('\\', '/')));
        }

        Assert.Contains("/assets/js/pages/webhooks.js", references);
        foreach (var reference in references.Distinct())
        {
            using var response = await _server.Anonymous.GetAsync(reference);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{reference} answered {(int)response.StatusCode}");
        }
    }

    [GeneratedRegex("\"(/assets/[^\"]+)\"")]
    private static partial Regex AbsoluteAsset();

    [GeneratedRegex("from '(\\.{1,2}/[^']+)'")]
    private static partial Regex RelativeImport();
}
