using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api.Docs;

/// <summary>
/// Gives string values their <c>string</c> type in the OpenAPI document. The API's string converter (which refuses NUL
/// and lone surrogates, <see cref="Errors.TextJsonConverter"/>) hides the type from the generator, which would otherwise
/// describe every string as <c>{}</c>: any value. A nullable property (<c>string?</c>) may also be <c>null</c>; lists of
/// strings say what they hold, and raw JSON objects passed through say <c>object</c>.
/// </summary>
internal sealed class StringSchemaTransformer : IOpenApiSchemaTransformer
{
    private readonly NullabilityInfoContext _nullability = new();

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(string) && schema.Type is null)
        {
            schema.Type = IsNullable(context.JsonPropertyInfo?.AttributeProvider) ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        }
        else if (context.JsonTypeInfo.ElementType == typeof(string) && schema.Type is { } arrayType && arrayType.HasFlag(JsonSchemaType.Array) && schema.Items is null)
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        }
        else if (type == typeof(System.Text.Json.JsonElement?) && schema.Type is null)
        {
            // Raw JSON the API passes through (e.g. the event a disconnect emitted): an object, or null when there is none.
            schema.Type = JsonSchemaType.Object | JsonSchemaType.Null;
        }

        return Task.CompletedTask;
    }

    private bool IsNullable(ICustomAttributeProvider? member)
    {
        lock (_nullability)
        {
            return member switch
            {
                PropertyInfo property => _nullability.Create(property).ReadState == NullabilityState.Nullable,
                FieldInfo field => _nullability.Create(field).ReadState == NullabilityState.Nullable,
                _ => false,
            };
        }
    }
}
