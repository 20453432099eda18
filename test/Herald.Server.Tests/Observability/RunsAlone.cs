namespace Herald.Server.Tests.Observability;

/// <summary>
/// Tests that run alone. OpenTelemetry's meter provider listens to every meter named <c>Herald</c> in the process, so a
/// scrape would also count the work of servers that other tests run meanwhile; and whether a tracer listens to Herald's
/// spans is process-wide, so a test that adds one would change what the others exercise (recorded spans or stand-ins).
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
