namespace WorldCluster.Abstractions;

/// <summary>One tick of a world's history, rebuilt from its journal: what a recording shows and says.</summary>
/// <param name="Tick">The tick.</param>
/// <param name="StateDigest">The state digest at the tick (the one its step answered).</param>
/// <param name="Actions">The actions merged into the tick, one per player slot; null for the first tick the world's history holds (a snapshot, no step).</param>
/// <param name="Frame">The frame at the tick.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.RecordedTick")]
public sealed record RecordedTick(
    [property: Id(0)] long Tick,
    [property: Id(1)] string StateDigest,
    [property: Id(2)] int[]? Actions,
    [property: Id(3)] WorldFrame Frame);
