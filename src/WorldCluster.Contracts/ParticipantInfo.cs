namespace WorldCluster.Contracts;

/// <summary>Someone in a world, as <c>GET /api/worlds/{id}/participants</c> lists them.</summary>
/// <param name="Role">Player or spectator.</param>
/// <param name="Slot">A player's slot; null for a spectator.</param>
/// <param name="Name">Display name, if one was given.</param>
public sealed record ParticipantInfo(SessionRole Role, int? Slot, string? Name);

/// <summary>Body of <c>GET /api/worlds/{id}/participants</c>.</summary>
public sealed record ParticipantList(IReadOnlyList<ParticipantInfo> Participants);
