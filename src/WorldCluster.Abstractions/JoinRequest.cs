namespace WorldCluster.Abstractions;

/// <summary>Asks to join a world.</summary>
/// <param name="Role">Player (takes a slot) or spectator.</param>
/// <param name="Name">A display name (optional, at most 64 characters).</param>
/// <param name="Slot">A specific player slot to take (optional; the lowest free slot otherwise).</param>
/// <param name="Invite">The id of the invite the caller joins with (null for an admin): banned invites are refused, joins per invite are capped.</param>
/// <param name="Participant">
/// The participant a join token names, coming back: it takes over that participant, or (while a restarted world holds
/// its slots) takes its <paramref name="Slot"/> back.
/// </param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.JoinRequest")]
public sealed record JoinRequest(
    [property: Id(0)] ParticipantRole Role,
    [property: Id(1)] string? Name = null,
    [property: Id(2)] int? Slot = null,
    [property: Id(3)] string? Invite = null,
    [property: Id(4)] Guid? Participant = null);
