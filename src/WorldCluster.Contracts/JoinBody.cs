namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/participants</c>.</summary>
/// <param name="Role"><c>player</c> or <c>spectator</c> (required).</param>
/// <param name="Name">A display name (optional, at most 64 characters).</param>
/// <param name="Slot">A specific player slot (optional; the lowest free slot otherwise).</param>
public sealed record JoinBody(string Role, string? Name = null, int? Slot = null);
