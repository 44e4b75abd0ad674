namespace WorldCluster.Contracts;

/// <summary>Answer of a join: the participant and the world-scoped token that stands for it (docs/security.md).</summary>
/// <param name="ParticipantId">The participant's id (to leave with).</param>
/// <param name="WorldId">The world joined.</param>
/// <param name="Role"><c>player</c> or <c>spectator</c>.</param>
/// <param name="Slot">A player's slot.</param>
/// <param name="Name">The display name given.</param>
/// <param name="Token">The token; a session opened with it takes this participant over.</param>
/// <param name="ExpiresAt">When the token stops working.</param>
public sealed record ParticipantToken(Guid ParticipantId, string WorldId, string Role, int? Slot, string? Name, string Token, DateTimeOffset ExpiresAt);
