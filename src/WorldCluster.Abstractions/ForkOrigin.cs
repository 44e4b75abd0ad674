namespace WorldCluster.Abstractions;

/// <summary>Where a fork starts: the source world, the tick, and the stored snapshot holding that tick's state.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.ForkOrigin")]
public sealed record ForkOrigin(
    [property: Id(0)] string WorldId,
    [property: Id(1)] long Tick,
    [property: Id(2)] string SnapshotHash);
