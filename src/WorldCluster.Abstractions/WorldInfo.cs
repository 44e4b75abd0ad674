namespace WorldCluster.Abstractions;

/// <summary>What a client sees of a world.</summary>
/// <param name="Id">World id.</param>
/// <param name="Model">Model name.</param>
/// <param name="ModelVersion">Version of the model the world was created with.</param>
/// <param name="Tick">The current tick (0 right after creation).</param>
/// <param name="Players">Player slots; a step takes one action per slot.</param>
/// <param name="StateDigest">Hash of the complete world state: equal digests mean equal states.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.WorldInfo")]
public sealed record WorldInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Model,
    [property: Id(2)] string ModelVersion,
    [property: Id(3)] long Tick,
    [property: Id(4)] int Players,
    [property: Id(5)] string StateDigest);
