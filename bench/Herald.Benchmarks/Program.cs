using BenchmarkDotNet.Running;

// Run one area or all: dotnet run -c Release --project bench/Herald.Benchmarks -- --filter '*Receiver*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The entry point; benchmarks live in per-area folders (Receiver/, Server/).</summary>
public partial class Program;
