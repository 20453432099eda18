namespace Herald.Core;

/// <summary>Which probe a health check belongs to.</summary>
internal static class HealthTags
{
    /// <summary>Liveness (<c>/healthz</c>): the process does its work; restart it when not.</summary>
    public const string Live = "live";

    /// <summary>Readiness (<c>/readyz</c>): the node can serve requests and deliver; route no traffic to it when not.</summary>
    public const string Ready = "ready";
}
