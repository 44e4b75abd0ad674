namespace WorldCluster.Models.Numerics;

/// <summary>One batch size's result in a <see cref="BatchInvarianceCheck"/>.</summary>
/// <param name="Size">The batch size.</param>
/// <param name="Fingerprint">SHA-256 of the probe world's states and frames with the probe first in the batch.</param>
/// <param name="SameAtEveryPosition">Whether the probe world last in the batch gave the same fingerprint.</param>
/// <param name="StepTime">Mean time of one batch step at this size.</param>
public sealed record BatchSizeRun(int Size, string Fingerprint, bool SameAtEveryPosition, TimeSpan StepTime);
