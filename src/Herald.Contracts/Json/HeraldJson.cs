using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Contracts.Json;

/// <summary>The JSON conventions of the contract and Herald's API: snake_case names, nulls omitted.</summary>
public static class HeraldJson
{
    /// <summary>Creates serializer options with Herald's conventions; callers may add a type-info resolver.</summary>
    /// <returns>New, unfrozen options.</returns>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
    };
}
