namespace WorldCluster.Abstractions;

/// <summary>A joined session: its id (needed to act and leave), role and player slot.</summary>
/// <param name="SessionId">The participant's id.</param>
/// <param name="WorldId">The world.</param>
/// <param name="Role">Player or spectator.</param>
/// <param name="Slot">A player's slot; null for a spectator.</param>
/// <param name="Claim">How many times the participant has been taken over (by a socket with its join token) before this one.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.SessionTicket")]
public sealed record SessionTicket(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string WorldId,
    [property: Id(2)] ParticipantRole Role,
    [property: Id(3)] int? Slot,
    [property: Id(4)] int Claim = 0);
