namespace WorldCluster.Abstractions;

/// <summary>Asks to fork a world at a durable tick into a new world.</summary>
/// <param name="NewWorldId">The id of the world to create.</param>
/// <param name="AtTick">A durable tick still reachable from the world's stored history; null means the latest.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.ForkRequest")]
public sealed record ForkRequest(
    [property: Id(0)] string NewWorldId,
    [property: Id(1)] long? AtTick);
