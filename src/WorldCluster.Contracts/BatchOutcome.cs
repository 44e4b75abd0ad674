namespace WorldCluster.Contracts;

/// <summary>Body of a batch answer: one outcome per requested world, in request order.</summary>
public sealed record BatchOutcome(IReadOnlyList<WorldOutcome> Results);

/// <summary>One world's part of a batch answer: what it observes after the step, or why its step failed.</summary>
/// <param name="World">The world id.</param>
/// <param name="Tick">The tick observed.</param>
/// <param name="StateDigest">Digest of the world state at <paramref name="Tick"/>.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="FrameShape">The frame's <c>[C, H, W]</c>.</param>
/// <param name="Frame">The frame (base64 in JSON): raw uint8 <c>[C, H, W]</c> bytes or a PNG, as asked; absent for <c>none</c>.</param>
/// <param name="Scores">Per-slot scores; absent when the model reports none.</param>
/// <param name="Rewards">Per-slot score change made by this step; absent when the model reports no scores.</param>
/// <param name="Error">Why this world's step failed after the batch was accepted (the other worlds stepped).</param>
public sealed record WorldOutcome(
    string World,
    long? Tick = null,
    string? StateDigest = null,
    long? DurableTick = null,
    int[]? FrameShape = null,
    byte[]? Frame = null,
    IReadOnlyList<int>? Scores = null,
    IReadOnlyList<int>? Rewards = null,
    WorldOutcomeError? Error = null);

/// <summary>A failed item of a batch: the HTTP status its own request would have had, a title and what to do.</summary>
public sealed record WorldOutcomeError(int Status, string Title, string Detail);
