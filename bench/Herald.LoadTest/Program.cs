using Herald.LoadTest;

// dotnet run -c Release --project bench/Herald.LoadTest -- receiver [--duration 15] [--concurrency 16] …
// dotnet run -c Release --project bench/Herald.LoadTest -- server [--scenario NAME] [--store sqlite|postgres] [--nodes N] …
// dotnet run -c Release --project bench/Herald.LoadTest -- dashboard [--deliveries 100000] …
return args.Length == 0 ? Usage() : args[0] switch
{
    "receiver" => await ReceiverLoad.RunAsync(args[1..]),
    "server" => await ServerBenchmark.RunAsync(args[1..]),
    "dashboard" => await DashboardLoad.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Herald.LoadTest receiver|server|dashboard [options]   (see docs/benchmarks.md; `server --help` lists the server options)");
    return 2;
}
