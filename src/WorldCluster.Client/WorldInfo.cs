namespace WorldCluster.Client;

/// <summary>A world as the API shows it.</summary>
/// <param name="Id">World id.</param>
/// <param name="Model">Model name.</param>
/// <param name="ModelVersion">Version of the model the world was created with.</param>
/// <param name="Tick">The current tick (0 right after creation).</param>
/// <param name="Players">Player slots; a step takes one action per slot.</param>
/// <param name="StateDigest">Hash of the complete world state: equal digests mean equal states.</param>
/// <param name="TickHz">Real-time tick rate; 0 for an on-demand world.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="Ticking">True while a real-time world is ticking (at least one player is present).</param>
/// <param name="ForkedFrom">The world and tick this world was forked from, if any.</param>
public sealed record WorldInfo(
    string Id,
    string Model,
    string ModelVersion,
    long Tick,
    int Players,
    string StateDigest,
    int TickHz,
    long DurableTick,
    bool Ticking,
    ForkOrigin? ForkedFrom);

/// <summary>Where a fork starts: the source world, the tick, and the stored snapshot holding that tick's state.</summary>
/// <param name="WorldId">The source world.</param>
/// <param name="Tick">The tick the fork starts from.</param>
/// <param name="SnapshotHash">The content hash of the snapshot both worlds share.</param>
public sealed record ForkOrigin(string WorldId, long Tick, string SnapshotHash);

/// <summary>What a step produced: the new tick, the digest of the state after it, and the latest durable tick.</summary>
/// <param name="Tick">The tick the step produced.</param>
/// <param name="StateDigest">Hash of the world state at that tick.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
public sealed record StepResult(long Tick, string StateDigest, long DurableTick);

/// <summary>Someone in a world.</summary>
/// <param name="Role">Player or spectator.</param>
/// <param name="Slot">A player's slot; null for a spectator.</param>
/// <param name="Name">Display name, if one was given.</param>
public sealed record ParticipantInfo(SessionRole Role, int? Slot, string? Name);
