using Herald.Server.Api.Errors;

namespace Herald.Server.Api;

/// <summary>Conventions every API route shares.</summary>
internal static class ApiRoutes
{
    public const string AccountApi = "/api/v1";
    public const string PartnerApi = "/partner-api/v1";

    /// <summary>Declares the error object for the client errors any route may answer, so the API reference shows it.</summary>
    public static TBuilder ProducesApiErrors<TBuilder>(this TBuilder builder, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes.Length > 0 ? statusCodes : [StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound])
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiError), ["application/json"]));
        }

        return builder;
    }
}
