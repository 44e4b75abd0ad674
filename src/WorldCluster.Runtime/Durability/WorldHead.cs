using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// A world's identity and where its state lives: the chain of snapshots (oldest first; the last is the base the journal
/// continues from), each with the journal segment of the ticks after it, and the bans an admin placed on participants and
/// invites (absent until the first ban, so heads of worlds without bans are unchanged). Stored as JSON; see docs/storage.md.
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
    ForkOrigin? ForkedFrom,
    IReadOnlyList<WorldBan>? Bans = null)
{
    /// <summary>The snapshot the current journal segment continues from.</summary>
    public SnapshotRef Base => Snapshots[^1];

    /// <summary>The oldest tick a fork can still start from.</summary>
    public long OldestReachableTick => Snapshots[0].Tick;
}

/// <summary>A stored snapshot at <paramref name="Tick"/> and the journal segment holding the ticks after it.</summary>
public sealed record SnapshotRef(long Tick, string Hash, string Segment);

/// <summary>A ban on <paramref name="Subject"/> (<c>participant:&lt;id&gt;</c> or <c>invite:&lt;id&gt;</c>) until every token it covers has expired.</summary>
public sealed record WorldBan(string Subject, DateTimeOffset Until)
{
    /// <summary>The subject of a participant's ban.</summary>
    public static string OfParticipant(Guid participant) => $"participant:{participant}";

    /// <summary>The subject of an invite's ban.</summary>
    public static string OfInvite(string invite) => $"invite:{invite}";
}
