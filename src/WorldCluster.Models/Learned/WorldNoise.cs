using WorldCluster.Models.Reference;
using static TorchSharp.torch;
using static WorldCluster.Models.Torch.Scalars;

namespace WorldCluster.Models.Learned;

/// <summary>
/// The world's noise stream: the reference world's in-state LCG, which decides each tick whether a gem spawn is tried
/// and on which cell. A deterministic predictor cannot foresee a dice roll, so the learned model is conditioned on the
/// same stream (as a diffusion world model is conditioned on its sampling noise); what a candidate does to the world is learned.
/// </summary>
public static class WorldNoise
{
    private const long Mask = ReferenceRules.LcgModulus - 1;

    /// <summary>One tick's draws for a batch of streams <c>[B]</c> (int64): the next stream state and the spawn candidate.</summary>
    /// <returns>The next state, whether a spawn is tried, and the candidate's world row and column.</returns>
    public static (Tensor Next, Tensor Tries, Tensor Row, Tensor Col) Draw(Tensor rng)
    {
        var first = ReferenceRules.Lcg(rng);
        var second = ReferenceRules.Lcg(first);
        var tries = first.floor_divide(Of(ReferenceRules.SpawnChanceDivisor)).eq(Zero);
        var spot = second.floor_divide(Of(ReferenceRules.SpawnCellDivisor));
        return (second, tries, spot.floor_divide(Of(ReferenceGeometry.GridSize)), spot.remainder(Of(ReferenceGeometry.GridSize)));
    }

    /// <summary>The LCG step on the host.</summary>
    public static long Next(long x) => ((x * ReferenceRules.LcgMultiplier) + ReferenceRules.LcgIncrement) & Mask;

    /// <summary>The LCG step backwards: the state whose next is <paramref name="y"/> (the multiplier is odd, so it has an inverse mod 2^31).</summary>
    public static long Previous(long y) => unchecked((long)(((ulong)(y - ReferenceRules.LcgIncrement) * InverseMultiplier) & (ulong)Mask));

    /// <summary>
    /// A stream state whose next tick tries a spawn on world cell <c>row * 32 + col</c>; <paramref name="lowBits"/> supplies
    /// the free low bits (call again with other bits if it returns null: about 1 in 64 choices works).
    /// </summary>
    public static long? SpawnAt(int row, int col, long lowBits)
    {
        var cell = (long)((row * ReferenceGeometry.GridSize) + col);
        var second = (cell * ReferenceRules.SpawnCellDivisor) | (lowBits & (ReferenceRules.SpawnCellDivisor - 1));
        var first = Previous(second);
        return first < ReferenceRules.SpawnChanceDivisor ? Previous(first) : null;
    }

    // Newton's iteration doubles the correct low bits of an inverse mod 2^64 each round: 3 → 6 → … → 96 bits.
    private static readonly ulong InverseMultiplier = Invert((ulong)ReferenceRules.LcgMultiplier);

    private static ulong Invert(ulong a)
    {
        var x = a;
        for (var i = 0; i < 5; i++)
        {
            x = unchecked(x * (2 - (a * x)));
        }
        return x;
    }
}
