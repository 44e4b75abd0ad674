namespace WorldCluster.Runtime.Worlds;

/// <summary>How many worlds this silo holds right now (the placement load signal).</summary>
public sealed class ActiveWorldCounter
{
    private int _count;

    /// <summary>Worlds active on this silo.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>A world became active here.</summary>
    public void Add() => Interlocked.Increment(ref _count);

    /// <summary>A world left this silo.</summary>
    public void Remove() => Interlocked.Decrement(ref _count);
}
