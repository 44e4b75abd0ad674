using System.Text.Json.Serialization;

namespace WorldCluster.Contracts;

/// <summary>The server's first text message on a session: who this session is in which world.</summary>
/// <param name="WorldId">The world joined.</param>
/// <param name="Role"><c>player</c> or <c>spectator</c>.</param>
/// <param name="Slot">The player slot taken; null for a spectator.</param>
/// <param name="Players">Player slots of the world.</param>
/// <param name="TickHz">The world's real-time tick rate; 0 for an on-demand world.</param>
/// <param name="Format">The session's frame format (<see cref="StreamFormat"/> name); absent means <c>png</c>.</param>
/// <param name="Codec">For a video format, the WebCodecs codec string to configure a decoder with.</param>
/// <param name="Type">The message's <c>type</c>: <c>welcome</c>.</param>
public sealed record SessionWelcome(
    string WorldId,
    string Role,
    int? Slot,
    int Players,
    int TickHz,
    string? Format = null,
    string? Codec = null,
    [property: JsonPropertyOrder(-1)] string Type = SessionMessageTypes.Welcome);

/// <summary>A player's action, sent as a text message on a session: <c>{"action": 3}</c>, or <c>{"action": {"keys": ["W"], "mouse": [4, -2]}}</c> in a structured space.</summary>
public sealed record ActionMessage(PlayerAction? Action);

/// <summary>The server's answer to a session message it could not apply (the session goes on, the world is unchanged).</summary>
/// <param name="Message">What was wrong.</param>
/// <param name="Type">The message's <c>type</c>: <c>error</c>.</param>
public sealed record SessionError(string Message, [property: JsonPropertyOrder(-1)] string Type = SessionMessageTypes.Error);

/// <summary>The <c>type</c> member of the server's text messages.</summary>
public static class SessionMessageTypes
{
    /// <summary>The first message of a session.</summary>
    public const string Welcome = "welcome";

    /// <summary>A refused client message.</summary>
    public const string Error = "error";
}
