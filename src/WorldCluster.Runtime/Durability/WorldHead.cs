using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// A world's identity and where its state lives: the chain of snapshots (oldest first; the last is the base the journal
/// continues from), each with the journal segment of the ticks after it. Stored as JSON; see docs/storage.md.
/// </summary>
public sealed record WorldHead(
    string WorldId,
    string Model,
    string ModelVersion,
    long Seed,
    int Players,
    int TickHz,
    DateTimeOffset CreatedAt,
    IReadOnlyList<SnapshotRef> Snapshots,
    ForkOrigin? ForkedFrom)
{
    /// <summary>The snapshot the current journal segment continues from.</summary>
    public SnapshotRef Base => Snapshots[^1];

    /// <summary>The oldest tick a fork can still start from.</summary>
    public long OldestReachableTick => Snapshots[0].Tick;
}

/// <summary>A stored snapshot at <paramref name="Tick"/> and the journal segment holding the ticks after it.</summary>
public sealed record SnapshotRef(long Tick, string Hash, string Segment);
