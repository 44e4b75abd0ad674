namespace WorldCluster.Contracts;

/// <summary>A world as the API shows it (<c>GET /api/worlds/{id}</c>, and the answer of a create or a fork).</summary>
/// <param name="Id">World id.</param>
/// <param name="Model">Model name.</param>
/// <param name="ModelVersion">Version of the model the world was created with.</param>
/// <param name="Tick">The current tick (0 right after creation).</param>
/// <param name="Players">Player slots; a step takes one action per slot.</param>
/// <param name="StateDigest">Hash of the complete world state: equal digests mean equal states.</param>
/// <param name="TickHz">Real-time tick rate; 0 for an on-demand world.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="ForkedFrom">The world and tick this world was forked from, if any.</param>
/// <param name="Ticking">True while a real-time world is ticking (at least one player is present).</param>
/// <param name="Silo">The silo hosting the world now (for operators).</param>
public sealed record WorldInfo(
    string Id,
    string Model,
    string ModelVersion,
    long Tick,
    int Players,
    string StateDigest,
    int TickHz,
    long DurableTick,
    ForkOrigin? ForkedFrom,
    bool Ticking,
    string? Silo);
