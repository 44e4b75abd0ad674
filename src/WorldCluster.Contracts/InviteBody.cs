namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/invites</c>.</summary>
/// <param name="Role"><c>player</c> or <c>spectator</c> (required).</param>
/// <param name="LifetimeSeconds">How long the invite works; the configured default (24 h) when absent.</param>
public sealed record InviteBody(string Role, long? LifetimeSeconds = null);
