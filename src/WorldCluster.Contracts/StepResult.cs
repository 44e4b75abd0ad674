namespace WorldCluster.Contracts;

/// <summary>What a step produced: the new tick, the digest of the state after it, and the latest durable tick.</summary>
/// <param name="Tick">The tick the step produced.</param>
/// <param name="StateDigest">Hash of the world state at that tick.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
public sealed record StepResult(long Tick, string StateDigest, long DurableTick);
