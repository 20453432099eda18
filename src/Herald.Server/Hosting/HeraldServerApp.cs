namespace Herald.Server.Hosting;

/// <summary>The server as a program: what <c>Program.cs</c> and <c>herald serve</c> both run.</summary>
internal static class HeraldServerApp
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(HeraldCommandLine.Normalize(args));
        builder.AddHeraldServer();
        await using var app = builder.Build();
        app.MapHeraldServer();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
