using System.Reflection;
using System.Text;
using Herald.Core.Events;
using Herald.Core.Tenants;
using Microsoft.AspNetCore.Http.Metadata;

namespace Herald.Server.Api.Events;

/// <summary>
/// <c>GET /api/v1/events/stream</c> as Server-Sent Events: each of the tenant's new events as
/// <c>id: &lt;cursor&gt;</c>, <c>event: event</c>, <c>data: &lt;the envelope, exactly the bytes endpoints receive&gt;</c>;
/// a comment every 15 s keeps idle connections open. Resuming with <c>Last-Event-ID</c> continues after that event, with
/// nothing missed or repeated, on any node. The stream ends when the server stops, so clients reconnect elsewhere.
/// </summary>
internal sealed class EventStreamResult(EventFeed feed, OwnerScope scope, IReadOnlyCollection<string>? names, FeedPosition? after, TimeProvider time, CancellationToken stopping)
    : IResult, IEndpointMetadataProvider
{
    private static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        try
        {
            var position = after ?? await feed.EndAsync(cancellationToken);
            await response.StartAsync(cancellationToken);
            await response.Body.WriteAsync(": herald event stream\n\n"u8.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            var lastWrite = time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                // Taken before reading, so an event stored while this page is read still wakes the next wait.
                var changed = feed.Changed;
                var page = await feed.ReadAsync(scope, names, position, cancellationToken);
                foreach (var (stored, at) in page.Events)
                {
                    await response.Body.WriteAsync(Encoding.ASCII.GetBytes($"id: {at}\nevent: event\ndata: "), cancellationToken);
                    await response.Body.WriteAsync(stored.Body, cancellationToken);
                    await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
                }

                position = page.Next;
                if (page.Events.Count > 0)
                {
                    await response.Body.FlushAsync(cancellationToken);
                    lastWrite = time.GetTimestamp();
                }

                if (page.Events.Count == EventFeed.PageSize)
                {
                    continue;
                }

                if (time.GetElapsedTime(lastWrite) >= KeepAliveEvery)
                {
                    await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    lastWrite = time.GetTimestamp();
                }

                // New events of this node wake the stream at once; other nodes' are found by the poll.
                await Task.WhenAny(changed, Task.Delay(PollEvery, time, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the server is stopping: the stream just ends.
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
}
