namespace WorldCluster.Client;

/// <summary>The server's first message on a session: who this session is in which world.</summary>
/// <param name="WorldId">The world joined.</param>
/// <param name="Role"><c>player</c> or <c>spectator</c>.</param>
/// <param name="Slot">The player slot taken; null for a spectator.</param>
/// <param name="Players">Player slots of the world.</param>
/// <param name="TickHz">The world's real-time tick rate; 0 for an on-demand world.</param>
public sealed record SessionWelcome(string WorldId, string Role, int? Slot, int Players, int TickHz);
