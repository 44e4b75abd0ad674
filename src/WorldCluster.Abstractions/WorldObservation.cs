namespace WorldCluster.Abstractions;

/// <summary>What an agent observes of a world at a tick: the frame, the state digest and, where the model keeps them, per-player scores.</summary>
/// <param name="Tick">The tick observed.</param>
/// <param name="StateDigest">Digest of the world state at <paramref name="Tick"/>.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="Frame">The frame at <paramref name="Tick"/>: uint8, channels first.</param>
/// <param name="Scores">Each player slot's score at <paramref name="Tick"/>; null when the model reports no scores.</param>
/// <param name="Rewards">Each slot's score change made by the tick that produced <paramref name="Tick"/> (zeros when only observed); null when the model reports no scores.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.WorldObservation")]
public sealed record WorldObservation(
    [property: Id(0)] long Tick,
    [property: Id(1)] string StateDigest,
    [property: Id(2)] long DurableTick,
    [property: Id(3)] WorldFrame Frame,
    [property: Id(4)] IReadOnlyList<int>? Scores,
    [property: Id(5)] IReadOnlyList<int>? Rewards);
