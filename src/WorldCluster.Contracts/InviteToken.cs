namespace WorldCluster.Contracts;

/// <summary>Answer of an invite: a world-scoped token for a role, issued by an admin to hand to a player or spectator.</summary>
/// <param name="WorldId">The world it opens.</param>
/// <param name="Role"><c>player</c> or <c>spectator</c>.</param>
/// <param name="Token">The token.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record InviteToken(string WorldId, string Role, string Token, DateTimeOffset ExpiresAt);
