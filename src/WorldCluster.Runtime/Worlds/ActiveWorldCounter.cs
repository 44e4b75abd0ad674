using System.Collections.Concurrent;

namespace WorldCluster.Runtime.Worlds;

/// <summary>The worlds this silo holds right now: their count is the placement load signal, their ids what a drain moves.</summary>
public sealed class ActiveWorldCounter
{
    private readonly ConcurrentDictionary<string, byte> _worlds = new(StringComparer.Ordinal);

    /// <summary>Worlds active on this silo.</summary>
    public int Count => _worlds.Count;

    /// <summary>The ids of the worlds active on this silo now.</summary>
    public IReadOnlyList<string> Ids => [.. _worlds.Keys];

    /// <summary>A world became active here.</summary>
    public void Add(string world) => _worlds.TryAdd(world, 0);

    /// <summary>A world left this silo.</summary>
    public void Remove(string world) => _worlds.TryRemove(world, out _);
}
