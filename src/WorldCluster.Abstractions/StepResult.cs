namespace WorldCluster.Abstractions;

/// <summary>The tick a step produced and the digest of the world state after it.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.StepResult")]
public sealed record StepResult(
    [property: Id(0)] long Tick,
    [property: Id(1)] string StateDigest);
