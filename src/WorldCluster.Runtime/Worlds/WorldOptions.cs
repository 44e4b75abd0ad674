namespace WorldCluster.Runtime.Worlds;

/// <summary>How world activations keep their state, sessions and subscribers (section <c>WorldCluster:Worlds</c>).</summary>
public sealed class WorldOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Worlds";

    /// <summary>A full snapshot is written after this many journaled ticks (and when a world deactivates).</summary>
    public int SnapshotEvery { get; set; } = 256;

    /// <summary>
    /// Keep each world's state with its model's batcher between ticks (the default); false copies it to host bytes and
    /// back every tick, as before resident state (benchmarks compare the two; see docs/durability.md).
    /// </summary>
    public bool ResidentState { get; set; } = true;

    /// <summary>
    /// On the CPU and with no resident state budget, worlds whose state is smaller than this many bytes copy it to host
    /// bytes each tick instead of keeping it resident: for a 2 KB state the copy costs the batcher less than the resident
    /// gather and keep (docs/benchmarks.md). A budget or a CUDA device keeps every state resident; 0 keeps all resident.
    /// </summary>
    public long ResidentStateMinBytes { get; set; } = 64 * 1024;

    /// <summary>On shutdown, move active worlds to the other silos serving their models before deactivating the rest (docs/operations.md).</summary>
    public bool DrainByMigration { get; set; } = true;

    /// <summary>Worlds a drain moves at once.</summary>
    public int DrainParallelism { get; set; } = 16;

    /// <summary>How often a model silo compares its world count with the other silos' and moves worlds to the least loaded one; zero switches rebalancing off.</summary>
    public TimeSpan RebalanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The smallest difference in worlds between this silo and the least loaded one that moves any (at least this, or a tenth of this silo's worlds).</summary>
    public int RebalanceMinGap { get; set; } = 4;

    /// <summary>The most worlds one rebalancing round moves off this silo.</summary>
    public int RebalanceMaxMoves { get; set; } = 8;

    /// <summary>Snapshots (with their journal segments) kept per world; forks can start at any tick they cover.</summary>
    public int SnapshotHistory { get; set; } = 8;

    /// <summary>Write a snapshot when a world deactivates, so it comes back without replaying its journal (tests turn it off to exercise replay).</summary>
    public bool SnapshotOnDeactivate { get; set; } = true;

    /// <summary>
    /// A deactivating world snapshots only when at least this many ticks were journaled since its latest snapshot; fewer
    /// are replayed at its next activation instead. 1 (the default) snapshots after any tick; for megabyte states a
    /// snapshot costs more than replaying a handful of ticks (docs/durability.md, "Snapshots of big states").
    /// </summary>
    public int SnapshotOnDeactivateMinTicks { get; set; } = 1;

    /// <summary>A world nobody calls deactivates after this long (its state is snapshotted first).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session not heard from for this long ends and frees its slot.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Joins one invite may make per world activation (a shared link cannot fill every slot and mint participants without end).</summary>
    public int MaxJoinsPerInvite { get; set; } = 32;

    /// <summary>Live bans (participants and invites) a world keeps in its head; expired ones are dropped at the next ban.</summary>
    public int MaxBans { get; set; } = 1024;

    /// <summary>
    /// After an activation takes up a stored world (a restart, a move to another silo), its player slots are held this long
    /// for the participants of join tokens coming back: only a token for a slot takes it, and a new player waits.
    /// </summary>
    public TimeSpan SlotGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>An observer that does not refresh its subscription within this long stops receiving frames.</summary>
    public TimeSpan ObserverExpiry { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Recent frame updates kept (while observed) to fill subscribers' gaps; cover a few refresh periods of ticks.</summary>
    public int FrameBuffer { get; set; } = 128;

    /// <summary>Highest real-time tick rate a world may ask for.</summary>
    public int MaxTickHz { get; set; } = 60;

    /// <summary>
    /// Real-time ticks a world may compute ahead of its journal while storage is failing (they are written, in order, once it
    /// is back); at this many the world pauses, skipping ticks, until storage catches up.
    /// </summary>
    public int MaxUnwrittenTicks { get; set; } = 2048;

    /// <summary>First wait before a failed background journal or snapshot write is tried again (doubling, with jitter).</summary>
    public TimeSpan StorageRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between tries of a failed background journal or snapshot write.</summary>
    public TimeSpan StorageRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}
