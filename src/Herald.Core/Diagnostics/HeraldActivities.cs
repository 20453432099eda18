using System.Diagnostics;

namespace Herald.Core.Diagnostics;

/// <summary>
/// Herald's spans: <c>herald.ingest</c> around each publish (one per request, a batch included) and
/// <c>herald.attempt</c> around each attempt, a child of its event's ingest span however much later and on whichever
/// node it runs: the ingest span's W3C <c>traceparent</c> is stored with the event and read back with every claim.
/// </summary>
/// <remarks>
/// A span is always started, recorded or not: with no tracer listening, a stand-in <see cref="Activity"/> carries the
/// same context. So every attempt sends a <c>traceparent</c> (the HTTP handler injects the current activity's
/// context), and the trace id an endpoint sees is the one recorded at ingest, whether or not traces are exported.
/// </remarks>
internal static class HeraldActivities
{
    public const string IngestName = "herald.ingest";
    public const string AttemptName = "herald.attempt";
    public const string WebhookTestName = "herald.webhook_test";

    /// <summary>Starts the span of one ingest under whatever is current (the API request, itself under the producer's <c>traceparent</c>).</summary>
    public static Activity StartIngest(int eventCount)
    {
        var activity = HeraldMetrics.ActivitySource.StartActivity(IngestName, ActivityKind.Producer) ?? StartStandIn(IngestName, parent: null);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("herald.events.count", eventCount);
        }

        return activity;
    }

    /// <summary>
    /// Starts an attempt's span as a child of <paramref name="traceParent"/> (its event's ingest span), never of what
    /// happens to be current: an attempt handed over by ingest runs on the ingest request's execution context, and the
    /// deliveries sent after it on the same task must not end up in that request's trace. Without a stored context
    /// (an event older than this version) the attempt starts a trace of its own.
    /// </summary>
    public static Activity StartAttempt(string? traceParent)
    {
        Activity.Current = null;
        var parent = ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : (ActivityContext?)null;
        return HeraldMetrics.ActivitySource.StartActivity(AttemptName, ActivityKind.Client, parent ?? default) ?? StartStandIn(AttemptName, parent);
    }

    /// <summary>Starts the span of a test send, under the API request that asked for it; the endpoint gets its context as for any attempt.</summary>
    public static Activity StartWebhookTest(string webhookId)
    {
        var activity = HeraldMetrics.ActivitySource.StartActivity(WebhookTestName, ActivityKind.Client) ?? StartStandIn(WebhookTestName, parent: null);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("herald.webhook.id", webhookId);
        }

        return activity;
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="activity"/>, to store with what it made; null for a non-W3C activity.</summary>
    public static string? TraceParent(Activity? activity) => activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>Marks a span as failed with the exception's type, as OpenTelemetry's conventions ask.</summary>
    public static void Fail(Activity activity, Exception exception)
    {
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("error.type", exception.GetType().FullName);
        }
    }

    /// <summary>An activity no listener asked for: it carries the context (ids and flags) and records nothing.</summary>
    private static Activity StartStandIn(string name, ActivityContext? parent)
    {
        var activity = new Activity(name) { IsAllDataRequested = false };
        activity.SetIdFormat(ActivityIdFormat.W3C);
        if (parent is { } context)
        {
            activity.SetParentId(context.TraceId, context.SpanId, context.TraceFlags);
        }

        return activity.Start();
    }
}
