namespace WorldCluster.Abstractions;

/// <summary>What a client sees of a world.</summary>
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
[GenerateSerializer, Immutable]
[Alias("WorldCluster.WorldInfo")]
public sealed record WorldInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Model,
    [property: Id(2)] string ModelVersion,
    [property: Id(3)] long Tick,
    [property: Id(4)] int Players,
    [property: Id(5)] string StateDigest,
    [property: Id(6)] int TickHz = 0,
    [property: Id(7)] long DurableTick = 0,
    [property: Id(8)] ForkOrigin? ForkedFrom = null,
    [property: Id(9)] bool Ticking = false,
    [property: Id(10)] string? Silo = null);
