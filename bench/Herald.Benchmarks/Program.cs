using BenchmarkDotNet.Running;

// Run one area or all: dotnet run -c Release --project bench/Herald.Benchmarks -- --filter '*Receiver*' --job short
// Receiver verify/parse ratios that hold up on a busy machine: dotnet run … -- receiver-ratios
if (args is ["receiver-ratios", .. var rest])
{
    Herald.Benchmarks.Receiver.ReceiverVerifyRatios.Run(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The entry point; benchmarks live in per-area folders (Receiver/, Server/).</summary>
public partial class Program;
