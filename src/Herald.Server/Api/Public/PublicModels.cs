namespace Herald.Server.Api.Public;

internal sealed record EventTypeResponse(string Name, string Description);

/// <summary>A probe's answer: <c>ok</c>/<c>ready</c>, or <c>unavailable</c> with what failed in <see cref="Checks"/>.</summary>
internal sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string>? Checks = null);
