using System.Reflection;

namespace Herald.LoadTest.Processes;

/// <summary>Where the processes the harness starts were built (recorded at build time, same configuration as the harness).</summary>
internal static class BuildOutputs
{
    public static string Configuration => Metadata("Configuration");

    public static string HeraldServer => Metadata("HeraldServerDll");

    public static string Receiver => Metadata("ReceiverDll");

    public static string Hangfire => Metadata("HangfireDll");

    private static string Metadata(string key) =>
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
