namespace WorldCluster.Silo.Api;

/// <summary>Answer of an invite: a world-scoped token for a role, to hand to a player or spectator.</summary>
public sealed record InviteResult(string WorldId, string Role, string Token, DateTimeOffset ExpiresAt);
