using System.Reflection;
using NetArchTest.Rules;

namespace Herald.Architecture.Tests;

/// <summary>
/// What must never depend on what (docs/architecture.md): the wire contract on nothing; the domain core on neither HTTP
/// nor SQL; storage never on HTTP; the receiver never on the server; and no two parts of a project using each other.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly Assembly Contracts = typeof(Herald.Contracts.Signing.WebhookSignature).Assembly;
    private static readonly Assembly Core = Assembly.Load("Herald.Core");
    private static readonly Assembly Server = Assembly.Load("Herald.Server");
    private static readonly Assembly Receiver = typeof(Herald.Receiver.WebhookVerifier).Assembly;

    private static readonly string[] DomainNamespaces =
    [
        "Herald.Core.Accounts", "Herald.Core.Events", "Herald.Core.Webhooks", "Herald.Core.Deliveries", "Herald.Core.Partners", "Herald.Core.Tenants",
    ];

    private static readonly string[] Http = ["Microsoft.AspNetCore", "Herald.Server"];
    private static readonly string[] Sql = ["System.Data", "Npgsql", "Microsoft.Data.Sqlite", "Dapper"];

    [Fact]
    public void The_domain_core_references_neither_ASP_NET_Core_nor_the_server_nor_any_database_library()
    {
        Assert.DoesNotContain(Core.GetReferencedAssemblies(), name => name.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        AssertClean(Types.InAssembly(Core).ShouldNot().HaveDependencyOnAny([.. Http, .. Sql]).GetResult());
    }

    [Fact]
    public void Domain_namespaces_do_not_depend_on_the_delivery_engine_or_an_http_client()
    {
        AssertClean(Types.InAssembly(Core).That().ResideInNamespaceMatching(NamespacePattern(DomainNamespaces))
            .ShouldNot().HaveDependencyOnAny("Herald.Core.Dispatch", "System.Net.Http", "System.Net.Sockets").GetResult());
    }

    [Fact]
    public void Storage_does_not_depend_on_the_api_auth_hosting_or_http()
    {
        AssertClean(Types.InAssembly(Server).That().ResideInNamespace("Herald.Server.Storage")
            .ShouldNot().HaveDependencyOnAny("Herald.Server.Api", "Herald.Server.Auth", "Herald.Server.Hosting", "Microsoft.AspNetCore").GetResult());
    }

    [Fact]
    public void The_api_reaches_the_database_only_through_the_domain_core()
    {
        AssertClean(Types.InAssembly(Server).That().ResideInNamespace("Herald.Server.Api")
            .ShouldNot().HaveDependencyOnAny(["Herald.Server.Storage", .. Sql]).GetResult());
    }

    [Fact]
    public void Authentication_does_not_depend_on_the_api()
    {
        AssertClean(Types.InAssembly(Server).That().ResideInNamespace("Herald.Server.Auth").ShouldNot().HaveDependencyOn("Herald.Server.Api").GetResult());
    }

    [Fact]
    public void The_wire_contract_depends_on_nothing_but_the_base_class_library()
    {
        Assert.All(Contracts.GetReferencedAssemblies(), name => Assert.True(
            name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name == "netstandard",
            $"Herald.Contracts references {name.Name}"));
    }

    [Fact]
    public void The_receiver_never_depends_on_the_server_or_the_core()
    {
        Assert.DoesNotContain(Receiver.GetReferencedAssemblies(), name => name.Name is "Herald.Server" or "Herald.Core");
        AssertClean(Types.InAssembly(Receiver).ShouldNot().HaveDependencyOnAny("Herald.Server", "Herald.Core").GetResult());
    }

    [Fact]
    public void No_two_parts_of_the_core_or_the_server_use_each_other()
    {
        var graph = NamespaceGraph.Read(Core.Location, Server.Location);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "Parts that use each other:\n" + string.Join("\n", cycles.Select(c => string.Join("\n  ", graph.Explain(c)))));
        Assert.Contains("Herald.Core.Events", graph.Edges["Herald.Core.Partners"].Keys); // the graph sees real uses
    }

    private static string NamespacePattern(IEnumerable<string> namespaces) => "^(" + string.Join('|', namespaces.Select(n => n.Replace(".", "\\.", StringComparison.Ordinal))) + ")(\\..*)?$";

    private static void AssertClean(NetArchTest.Rules.TestResult result) =>
        Assert.True(result.IsSuccessful, "These types break the rule: " + string.Join(", ", result.FailingTypeNames ?? []));
}
