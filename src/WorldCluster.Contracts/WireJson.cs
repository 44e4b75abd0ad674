using System.Text.Json;

namespace WorldCluster.Contracts;

/// <summary>The names every WorldCluster JSON body uses: camelCase members, absent for null.</summary>
public static class WireJson
{
    /// <summary>Options for the parts of the wire both sides write the same way (the frame message's header).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
