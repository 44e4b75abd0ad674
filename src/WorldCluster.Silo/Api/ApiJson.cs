using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorldCluster.Silo.Api;

/// <summary>The JSON rules of the HTTP API: camelCase, strict numbers, unknown members refused.</summary>
public static class ApiJson
{
    /// <summary>Largest request body the API reads, in bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Serializer options shared by requests and responses.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };
}
