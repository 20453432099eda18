using System.Net;
using Herald.Bench;
using Herald.Bench.Receiver;
using Herald.Contracts.Signing;
using Herald.Receiver;

// The server benchmark's webhook endpoint, in its own process so the server's CPU is measured apart from it.
// Routes: POST /hook/{n} verifies x-signature (Herald.Receiver's WebhookVerifier: verify + parse), records the
// arrival and answers 200; /hang/{n} holds the request until the sender gives up; /fail/{n} answers 500.
// The harness reads /control/stats and /control/arrivals and resets with /control/reset.
// Usage: Herald.Bench.Receiver [--port 0] [--secret whsec_…]; prints "listening on http://127.0.0.1:PORT".
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var port = builder.Configuration.GetValue("port", 0);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port);
    kestrel.Limits.MaxConcurrentConnections = null;
    kestrel.Limits.MaxConcurrentUpgradedConnections = null;
});

var verifier = new WebhookVerifier([builder.Configuration["secret"] ?? BenchEvents.Secret]);
var arrivals = new ArrivalLog();
var app = builder.Build();

app.MapPost("/hook/{endpoint:int}", async (int endpoint, HttpContext context) =>
{
    var body = await ReadBodyAsync(context.Request);
    try
    {
        var received = verifier.ConstructEvent(
            context.Request.Headers[WebhookSignature.TimestampHeader], context.Request.Headers[WebhookSignature.SignatureHeader], body);
        arrivals.Arrived(endpoint, received.Id);
        return Results.Ok();
    }
    catch (WebhookVerificationException)
    {
        arrivals.Rejected();
        return Results.StatusCode(401);
    }
});

app.MapPost("/hang/{endpoint:int}", async (int endpoint, HttpContext context) =>
{
    arrivals.Hung();
    try
    {
        // Until the sender's timeout closes the connection; bounded so a forgotten request cannot live forever.
        await Task.Delay(TimeSpan.FromMinutes(5), context.RequestAborted);
    }
    catch (OperationCanceledException)
    {
    }

    return Results.StatusCode(504);
});

app.MapPost("/fail/{endpoint:int}", (int endpoint) =>
{
    arrivals.Failed();
    return Results.StatusCode(500);
});

app.MapGet("/control/stats", () => Results.Text(arrivals.StatsJson(), "application/json"));
app.MapGet("/control/arrivals", (HttpContext context) => arrivals.WriteAsync(context.Response.Body, context.RequestAborted));
app.MapPost("/control/reset", () =>
{
    arrivals.Reset();
    return Results.NoContent();
});

await app.StartAsync();
Console.WriteLine($"listening on {app.Urls.Single()}");
await app.WaitForShutdownAsync();

static async Task<byte[]> ReadBodyAsync(HttpRequest request)
{
    if (request.ContentLength is > 0 and <= 1024 * 1024 and var length)
    {
        var buffer = new byte[length];
        await request.Body.ReadExactlyAsync(buffer);
        return buffer;
    }

    using var copy = new MemoryStream();
    await request.Body.CopyToAsync(copy);
    return copy.ToArray();
}
