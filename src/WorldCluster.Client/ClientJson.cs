using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorldCluster.Client;

/// <summary>The client's JSON rules: the API's camelCase names; unknown members are ignored so newer servers stay readable.</summary>
internal static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
