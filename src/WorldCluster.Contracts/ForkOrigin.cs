namespace WorldCluster.Contracts;

/// <summary>Where a fork starts: the source world, the tick, and the stored snapshot holding that tick's state.</summary>
/// <param name="WorldId">The source world.</param>
/// <param name="Tick">The tick the fork starts from.</param>
/// <param name="SnapshotHash">The content hash of the snapshot both worlds share.</param>
public sealed record ForkOrigin(string WorldId, long Tick, string SnapshotHash);
