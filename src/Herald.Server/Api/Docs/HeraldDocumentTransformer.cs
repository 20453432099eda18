using System.Text.Json.Nodes;
using Herald.Server.Api.Errors;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api.Docs;

/// <summary>
/// Finishes the generated document: what Herald is, how to authenticate, and on every operation the error object for
/// each failure it can answer (validation on input, 401 behind a key, 404 on an id, 413 on a body, 500 everywhere),
/// with an example, so no route's reference lacks its errors.
/// </summary>
internal sealed class HeraldDocumentTransformer : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, (string Description, string Code, string Message, string? Source)> Errors = new(StringComparer.Ordinal)
    {
        ["400"] = ("The input is invalid; `source` names the field.", ApiError.ValidationError, "url is required: the https URL Herald POSTs events to.", "url"),
        ["401"] = ("No key, a key that is not valid, or a key that may not use this route.", ApiError.Unauthorized, "This route needs an API key: send `Authorization: Bearer <key>`.", null),
        ["404"] = ("No such object, or it belongs to another tenant.", ApiError.NotFound, "No webhook wh_Xk2vN0rQm4Lp8sT1uV3wYz.", null),
        ["409"] = ("The id exists with other content.", ApiError.DuplicateRequest, "Event evt_1 exists with other content; use a new id.", "id"),
        ["413"] = ("The body is larger than the limit.", ApiError.PayloadTooLarge, "The request body is larger than 256 KiB; send fewer or smaller events per request.", null),
        ["500"] = ("Herald failed; details are in the server log, never in the answer.", ApiError.InternalError, "Herald could not complete the request; it is logged on the server. Retry later.", null),
    };

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Herald API";
        document.Info.Description =
            "Herald is a self-hosted webhook platform implementing the Airwallex webhook contract. `/api/v1` takes " +
            "`Authorization: Bearer <key>`: the admin key (every account; operator routes), an account key (its account) or an " +
            "organization key (its accounts, named with `account_id`). `/partner-api/v1` takes a partner app's HTTP Basic " +
            "`client_id:client_secret`. Every failure answers `{\"code\",\"message\",\"source\"}`; lists answer " +
            "`{\"items\":[…],\"has_more\":bool}` and page with `page_num` (from 0) and `page_size` (default 100, at most 1000).";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiDocs.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin key (HERALD_ADMIN_KEY), or an account or organization key from POST /api/v1/api_keys/create.",
        };
        document.Components.SecuritySchemes[ApiDocs.BasicScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "A partner app's client_id and client_secret (POST /api/v1/apps/create).",
        };

        if (document.Components.Schemas?.ContainsKey(nameof(ApiError)) != true)
        {
            document.AddComponent(nameof(ApiError), await context.GetOrCreateSchemaAsync(typeof(ApiError), null, cancellationToken));
        }

        var errorReference = new OpenApiSchemaReference(nameof(ApiError), document);

        foreach (var (path, item) in document.Paths)
        {
            foreach (var operation in item.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                var isApi = path.StartsWith(ApiRoutes.AccountApi, StringComparison.Ordinal) || path.StartsWith(ApiRoutes.PartnerApi, StringComparison.Ordinal);
                var anonymous = path.EndsWith("/event_types", StringComparison.Ordinal) || !isApi;
                if (!anonymous)
                {
                    var scheme = path.StartsWith(ApiRoutes.PartnerApi, StringComparison.Ordinal) ? ApiDocs.BasicScheme : ApiDocs.BearerScheme;
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
                }

                operation.Responses ??= [];
                var takesInput = operation.RequestBody is not null || operation.Parameters is { Count: > 0 };
                AddError(operation, "400", takesInput && isApi, errorReference);
                AddError(operation, "401", !anonymous, errorReference);
                AddError(operation, "404", path.Contains('{', StringComparison.Ordinal), errorReference);
                AddError(operation, "413", operation.RequestBody is not null, errorReference);
                AddError(operation, "500", true, errorReference);

                // Declared errors (ProducesApiErrors) get the same description and example.
                foreach (var (status, response) in operation.Responses)
                {
                    if (Errors.TryGetValue(status, out var error) && response is OpenApiResponse concrete && concrete.Content?.TryGetValue("application/json", out var media) == true)
                    {
                        concrete.Description = error.Description;
                        media.Example ??= Example(error);
                    }
                }

                // Readiness answers 503 with the same body when the database does not answer.
                if (path == "/readyz" && !operation.Responses.ContainsKey("503") && operation.Responses.TryGetValue("200", out var ready))
                {
                    operation.Responses["503"] = new OpenApiResponse { Description = "The database does not answer.", Content = ready.Content };
                }
            }
        }
    }

    private static void AddError(OpenApiOperation operation, string status, bool applies, IOpenApiSchema schema)
    {
        if (!applies || operation.Responses!.ContainsKey(status))
        {
            return;
        }

        var error = Errors[status];
        operation.Responses[status] = new OpenApiResponse
        {
            Description = error.Description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema, Example = Example(error) } },
        };
    }

    private static JsonObject Example((string Description, string Code, string Message, string? Source) error)
    {
        var example = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        if (error.Source is not null)
        {
            example["source"] = error.Source;
        }

        return example;
    }
}
