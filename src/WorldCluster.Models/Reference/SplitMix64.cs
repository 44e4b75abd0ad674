namespace WorldCluster.Models.Reference;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its definition, unlike
/// <see cref="Random"/>, whose algorithm may change between .NET versions. World generation must give the same world
/// for a seed on every machine and runtime.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in <c>[0, n)</c>; the modulo bias (below 2^-50 for the small n used here) is irrelevant.</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);
}
