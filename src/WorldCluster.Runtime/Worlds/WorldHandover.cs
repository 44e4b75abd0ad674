using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// What a migrating world activation hands to its successor beside the stored journal: who is in the world and what
/// they have asked for, who is watching, and the tick and digest it left at (the successor recovers the state itself
/// from storage and checks it against these).
/// </summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.WorldHandover")]
internal sealed record WorldHandover(
    [property: Id(0)] long Tick,
    [property: Id(1)] string Digest,
    [property: Id(2)] int[] LastActions,
    [property: Id(3)] IWorldObserver[] Observers,
    [property: Id(4)] SessionsHandover? Sessions,
    [property: Id(5)] DateTimeOffset SlotsHeldUntil);

/// <summary>The participants of a world activation, as <see cref="WorldSessions.Export"/> gives them.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.SessionsHandover")]
internal sealed record SessionsHandover(
    [property: Id(0)] HandedOverSession[] Sessions,
    [property: Id(1)] int[] Pending,
    [property: Id(2)] Dictionary<string, int> JoinsByInvite,
    [property: Id(3)] Dictionary<Guid, string> InviteOf);

/// <summary>One participant handed over.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.HandedOverSession")]
internal sealed record HandedOverSession(
    [property: Id(0)] Guid Id,
    [property: Id(1)] ParticipantRole Role,
    [property: Id(2)] int? Slot,
    [property: Id(3)] string? Name,
    [property: Id(4)] DateTimeOffset Joined,
    [property: Id(5)] DateTimeOffset LastSeen,
    [property: Id(6)] int Claim);
