namespace Herald.Server.Api.Public;

internal sealed record EventTypeResponse(string Name, string Description);

internal sealed record HealthResponse(string Status);
