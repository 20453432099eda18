using Herald.Server.Api.Docs;
using Microsoft.AspNetCore.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection
{
    internal static class ApiDocsServiceCollectionExtensions
    {
        /// <summary>
        /// Completes the generated OpenAPI document (<c>/openapi/v1.json</c>): the API's description and security, the
        /// error object on every route for the failures it can answer, and examples of the main bodies.
        /// </summary>
        public static IServiceCollection AddHeraldApiDocs(this IServiceCollection services)
        {
            services.Configure<OpenApiOptions>(ApiDocs.DocumentName, options =>
            {
                options.AddSchemaTransformer<StringSchemaTransformer>();
                options.AddSchemaTransformer<ExampleSchemaTransformer>();
                options.AddDocumentTransformer<HeraldDocumentTransformer>();
            });
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    internal static class ApiDocsEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// The interactive API reference at <c>/docs</c> (Scalar), reading <c>/openapi/v1.json</c>. Its script is
        /// embedded in the Scalar package and served from here: no CDN, no web fonts, no telemetry, so it works offline.
        /// </summary>
        public static IEndpointRouteBuilder MapHeraldApiDocs(this IEndpointRouteBuilder app)
        {
            app.MapScalarApiReference(ApiDocs.Path, (options, context) =>
            {
                // Scalar configures its page with an inline script: allow that one script by a per-request nonce.
                var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
                context.Response.Headers.ContentSecurityPolicy = ApiDocs.ContentSecurityPolicy(nonce);
                context.Response.Headers.XContentTypeOptions = "nosniff";
                options
                    .WithTitle("Herald API reference")
                    .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                    .AddDocument(ApiDocs.DocumentName)
                    .WithNonce(nonce)
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    .DisableMcp()
                    .HideClientButton()
                    .AddPreferredSecuritySchemes(ApiDocs.BearerScheme);
            });
            return app;
        }
    }
}

namespace Herald.Server.Api.Docs
{
    internal static class ApiDocs
    {
        public const string DocumentName = "v1";
        public const string Path = "/docs";
        public const string BearerScheme = "ApiKey";
        public const string BasicScheme = "PartnerApp";

        /// <summary>Everything from this origin; its components' styles are set inline, so styles may be.</summary>
        public static string ContentSecurityPolicy(string nonce) =>
            $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
            "font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
    }
}
