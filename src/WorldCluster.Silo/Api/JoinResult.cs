namespace WorldCluster.Silo.Api;

/// <summary>Answer of a join: the participant and the world-scoped token that stands for it.</summary>
public sealed record JoinResult(Guid ParticipantId, string WorldId, string Role, int? Slot, string? Name, string Token, DateTimeOffset ExpiresAt);
