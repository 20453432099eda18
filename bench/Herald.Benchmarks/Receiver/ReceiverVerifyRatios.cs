using System.Diagnostics;
using System.Globalization;

namespace Herald.Benchmarks.Receiver;

/// <summary>
/// The same operations as <see cref="ReceiverVerifyBenchmarks"/>, measured for a shared, busy machine: short rounds
/// of each operation in turn, many times over, keeping each operation's fastest round. Other work on the machine
/// only ever slows a round down, so the fastest rounds of operations measured side by side are comparable even when
/// BenchmarkDotNet's sequential means are not. Prints per-operation time and ops/s ratio to the raw one-shot HMAC.
/// </summary>
/// <remarks><c>dotnet run -c Release --project bench/Herald.Benchmarks -- receiver-ratios [rounds]</c></remarks>
public static class ReceiverVerifyRatios
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 && int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 300;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fastest of {rounds} interleaved rounds per operation; ratio = operation ops/s / raw HMAC ops/s"));
        foreach (var size in new[] { 1024, 65536 })
        {
            var benchmarks = new ReceiverVerifyBenchmarks { BodyBytes = size };
            benchmarks.Setup();
            (string Name, Func<object> Run)[] operations =
            [
                ("raw HMACSHA256.HashData", benchmarks.RawHmac),
                ("pre-keyed HMAC (reused IncrementalHash)", benchmarks.PreKeyedHmac),
                ("WebhookVerifier.Verify", () => benchmarks.Verify()),
                ("WebhookVerifier.ConstructEvent", benchmarks.VerifyAndParse),
                ("HeraldWebhook.ParseEvent", benchmarks.ParseOnly),
            ];
            var perRound = size <= 1024 ? 2000 : 40;
            var fastest = new double[operations.Length];
            Array.Fill(fastest, double.MaxValue);
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < operations.Length; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    for (var n = 0; n < perRound; n++)
                    {
                        operations[i].Run();
                    }

                    fastest[i] = Math.Min(fastest[i], Stopwatch.GetElapsedTime(started).TotalNanoseconds / perRound);
                }
            }

            for (var i = 0; i < operations.Length; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size,6} B  {operations[i].Name,-42} {fastest[i],10:F0} ns  ratio {fastest[0] / fastest[i]:F2}"));
            }
        }
    }
}
