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

/// <summary>
/// The world restarted from storage at <paramref name="Tick"/>, its last durable tick (its silo died): the frames after
/// it that this session saw were never made durable and are replaced; the frames from <paramref name="Tick"/> on are the
/// restarted world's (the next one shows <paramref name="Tick"/> again, unless a <see cref="SessionSkipped"/> follows).
/// </summary>
/// <param name="Tick">The tick the world resumed at.</param>
/// <param name="Discarded">How many ticks this session saw after <paramref name="Tick"/> that no longer exist.</param>
/// <param name="Type">The message's <c>type</c>: <c>resumed</c>.</param>
public sealed record SessionResumed(long Tick, long Discarded, [property: JsonPropertyOrder(-1)] string Type = SessionMessageTypes.Resumed);

/// <summary>Ticks <paramref name="From"/>..<paramref name="To"/> will never reach this session (the world no longer has their frames); the next frame is <paramref name="To"/> + 1.</summary>
/// <param name="From">The first tick skipped.</param>
/// <param name="To">The last tick skipped.</param>
/// <param name="Type">The message's <c>type</c>: <c>skipped</c>.</param>
public sealed record SessionSkipped(long From, long To, [property: JsonPropertyOrder(-1)] string Type = SessionMessageTypes.Skipped);

/// <summary>The <c>type</c> member of the server's text messages.</summary>
public static class SessionMessageTypes
{
    /// <summary>The first message of a session.</summary>
    public const string Welcome = "welcome";

    /// <summary>A refused client message.</summary>
    public const string Error = "error";

    /// <summary>The world restarted from its last durable tick (see <see cref="SessionResumed"/>).</summary>
    public const string Resumed = "resumed";

    /// <summary>Ticks that will never reach the session (see <see cref="SessionSkipped"/>).</summary>
    public const string Skipped = "skipped";
}
