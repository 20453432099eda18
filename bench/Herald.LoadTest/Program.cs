using Herald.LoadTest;

// dotnet run -c Release --project bench/Herald.LoadTest -- receiver [--duration 15] [--concurrency 16] …
// dotnet run -c Release --project bench/Herald.LoadTest -- server …
// dotnet run -c Release --project bench/Herald.LoadTest -- dashboard [--deliveries 100000] …
return args.Length == 0 ? Usage() : args[0] switch
{
    "receiver" => await ReceiverLoad.RunAsync(args[1..]),
    "server" => await ServerLoad.RunAsync(args[1..]),
    "dashboard" => await DashboardLoad.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Herald.LoadTest receiver|server|dashboard [options]   (see docs/benchmarks.md)");
    return 2;
}
