namespace WorldCluster.Abstractions;

/// <summary>The tick a step produced, the digest of the world state after it, and the latest durable tick.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.StepResult")]
public sealed record StepResult(
    [property: Id(0)] long Tick,
    [property: Id(1)] string StateDigest,
    [property: Id(2)] long DurableTick = 0);
