using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests.Observability;

/// <summary>
/// docs/grafana-dashboard.json and docs/observability.md cannot drift from what Herald exports: every metric and label
/// the dashboard queries, and every Herald metric the guide must describe, is checked against a real server's scrape.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed partial class DashboardTests : ServerWithReceiverTest
{
    private static readonly string Docs = Path.Combine(RepositoryPaths.Root, "docs");

    // Prometheus adds these to every series it scrapes; the dashboard filters and groups by them.
    private static readonly string[] TargetLabels = ["instance", "job"];

    /// <summary>A scrape of a server that has delivered, failed, retried and answered API requests, so every series exists.</summary>
    private async Task<Scrape> ScrapeAfterEverythingHappenedAsync()
    {
        var account = await Server.CreateAccountAsync();
        await Server.CreateWebhookAsync(account, Receiver.Url("/dashboard"), "payment_intent.succeeded");
        await Server.PublishAsync(account, id: "evt_good");
        await Receiver.WaitForAsync("/dashboard");
        Receiver.Respond = _ => new ReceiverResponse(500, "down");
        await Server.PublishAsync(account, id: "evt_bad");
        await Receiver.WaitForAsync("/dashboard", 2);
        await Server.WaitForIdleAsync();
        await Server.GetAsync("/api/v1/deliveries");
        return await Scrape.FromAsync(Server);
    }

    private static JsonNode Dashboard() => JsonNode.Parse(File.ReadAllText(Path.Combine(Docs, "grafana-dashboard.json")))!;

    private static IEnumerable<JsonNode> Descendants(JsonNode node) => node switch
    {
        JsonObject obj => obj.Select(p => p.Value).Where(v => v is not null).SelectMany(v => Descendants(v!)).Prepend(obj),
        JsonArray array => array.Where(v => v is not null).SelectMany(v => Descendants(v!)).Prepend(array),
        _ => [node],
    };

    /// <summary>Every PromQL the dashboard runs: the panels' targets and the variables' queries.</summary>
    private static List<string> Queries(JsonNode dashboard)
    {
        var queries = Descendants(dashboard).OfType<JsonObject>()
            .Where(o => o["expr"] is JsonValue)
            .Select(o => o["expr"]!.GetValue<string>())
            .ToList();
        foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query"))
        {
            var query = variable!["query"] is JsonObject structured ? structured["query"]!.GetValue<string>() : variable["query"]!.GetValue<string>();
            var labelValues = LabelValues().Match(query);
            Assert.True(labelValues.Success, $"Variable {variable["name"]} should use label_values(metric, label): {query}");
            queries.Add($"{labelValues.Groups["metric"].Value} by ({labelValues.Groups["label"].Value})");
        }

        return queries;
    }

    [Theory]
    [InlineData("sum by (herald_delivery_result) (rate(herald_deliveries_outcomes_total{instance=~\"$instance\"}[$__rate_interval]))",
        "herald_deliveries_outcomes_total", "herald_delivery_result,instance")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(herald_attempts_duration_seconds_bucket{job=\"x\", le!=\"1e3\"}[5m]))) * 1e3 > bool 0",
        "herald_attempts_duration_seconds_bucket", "le,job")]
    [InlineData("max(herald_queue_depth) or vector(0) + on(instance) group_left dotnet_gc_collections_total offset 1h",
        "herald_queue_depth,dotnet_gc_collections_total", "instance")]
    public void The_query_reader_finds_the_metrics_and_labels_of_an_expression(string expression, string metrics, string labels)
    {
        Assert.Equal(metrics.Split(',').Order(), PromQl.MetricNames(expression).Order());
        Assert.Equal(labels.Split(',').Order(), PromQl.LabelNames(expression).Order());
    }

    [Fact]
    public async Task Every_metric_and_label_the_Grafana_dashboard_queries_is_exported_by_Herald()
    {
        var scrape = await ScrapeAfterEverythingHappenedAsync();
        var dashboard = Dashboard();
        var queries = Queries(dashboard);

        Assert.True(queries.Count >= 15, $"Only {queries.Count} queries found in the dashboard.");
        var missing = queries.SelectMany(q => PromQl.MetricNames(q).Where(name => !scrape.Names.Contains(name)).Select(name => $"metric {name} in: {q}"))
            .Concat(queries.SelectMany(q => PromQl.LabelNames(q).Where(label => !scrape.LabelNames.Contains(label) && !TargetLabels.Contains(label)).Select(label => $"label {label} in: {q}")))
            .ToList();
        Assert.True(missing.Count == 0, "The dashboard queries what Herald does not export:\n" + string.Join('\n', missing));
        var herald = queries.SelectMany(PromQl.MetricNames).Where(n => n.StartsWith("herald_", StringComparison.Ordinal)).Select(Family).ToHashSet();
        var exported = scrape.Types.Keys.Where(n => n.StartsWith("herald_", StringComparison.Ordinal)).ToHashSet();
        Assert.True(exported.SetEquals(herald), "Herald metrics without a panel: " + string.Join(", ", exported.Except(herald)));
    }

    [Fact]
    public void The_dashboard_imports_into_any_Grafana_with_a_Prometheus_data_source()
    {
        var dashboard = Dashboard();
        var variables = dashboard["templating"]!["list"]!.AsArray();
        var source = Assert.Single(variables, v => v!["type"]!.GetValue<string>() == "datasource")!;
        var panels = Descendants(dashboard).OfType<JsonObject>().Where(o => o["type"] is JsonValue && o["targets"] is JsonArray).ToList();

        Assert.Equal("prometheus", source["query"]!.GetValue<string>());
        Assert.Null(dashboard["id"]);
        Assert.NotEmpty(panels);
        Assert.All(panels, panel => Assert.Equal($"${{{source["name"]}}}", panel["datasource"]!["uid"]!.GetValue<string>()));
        Assert.All(panels, panel => Assert.All(panel["targets"]!.AsArray(), t => Assert.Equal($"${{{source["name"]}}}", t!["datasource"]!["uid"]!.GetValue<string>())));
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
    }

    [Fact]
    public async Task Every_Herald_metric_is_described_in_the_observability_guide()
    {
        var scrape = await ScrapeAfterEverythingHappenedAsync();
        var guide = await File.ReadAllTextAsync(Path.Combine(Docs, "observability.md"));

        var families = scrape.Types.Keys.Where(n => n.StartsWith("herald_", StringComparison.Ordinal)).ToList();
        var labels = scrape.Samples.Where(s => s.Name.StartsWith("herald_", StringComparison.Ordinal)).SelectMany(s => s.Labels.Keys).Distinct()
            .Where(l => l is not ("otel_scope_name" or "le")).ToList();

        Assert.True(families.Count >= 13, $"Only {families.Count} Herald metrics were exported.");
        Assert.All(families, family => Assert.Contains($"`{family}`", guide, StringComparison.Ordinal));
        Assert.All(labels, label => Assert.Contains($"`{label}`", guide, StringComparison.Ordinal));
    }

    private static string Family(string name) => FamilySuffix().Replace(name, string.Empty);

    [GeneratedRegex(@"^label_values\((?<metric>[^,]+),\s*(?<label>\w+)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex FamilySuffix();
}
