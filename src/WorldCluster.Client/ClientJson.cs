using System.Text.Json;
using System.Text.Json.Serialization;
using WorldCluster.Contracts;

namespace WorldCluster.Client;

/// <summary>The client's JSON rules: the API's camelCase names; unknown members are ignored so newer servers stay readable.</summary>
internal static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new SessionRoleConverter() },
    };

    // The welcome names the role ("player"); the participants list sends the server enum's number (0 spectator, 1 player).
    private sealed class SessionRoleConverter : JsonConverter<SessionRole>
    {
        public override SessionRole Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var n) && Enum.IsDefined((SessionRole)n) => (SessionRole)n,
            JsonTokenType.String when Enum.TryParse<SessionRole>(reader.GetString(), ignoreCase: true, out var role) => role,
            _ => throw new JsonException("expected a role: \"player\" or \"spectator\""),
        };

        public override void Write(Utf8JsonWriter writer, SessionRole value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value == SessionRole.Player ? "player" : "spectator");
    }
}
