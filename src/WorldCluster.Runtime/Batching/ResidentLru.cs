namespace WorldCluster.Runtime.Batching;

/// <summary>The worlds a batcher holds, least recently stepped first, with when each was last stepped (batcher thread only).</summary>
internal sealed class ResidentLru
{
    private readonly LinkedList<(string World, long SteppedAt)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string World, long SteppedAt)>> _nodes = new(StringComparer.Ordinal);

    /// <summary>The world stepped least recently that is not in <paramref name="except"/>, if any (walks past those only).</summary>
    public string? OldestExcept(IReadOnlySet<string> except)
    {
        for (var node = _order.First; node is not null; node = node.Next)
        {
            if (!except.Contains(node.Value.World))
            {
                return node.Value.World;
            }
        }
        return null;
    }

    /// <summary>Marks <paramref name="world"/> as stepped at <paramref name="timestamp"/>: it becomes the most recent.</summary>
    public void Stepped(string world, long timestamp)
    {
        if (_nodes.TryGetValue(world, out var node))
        {
            // The same node moves to the end: a step allocates nothing here.
            _order.Remove(node);
            node.Value = (world, timestamp);
            _order.AddLast(node);
            return;
        }
        _nodes[world] = _order.AddLast((world, timestamp));
    }

    /// <summary>Forgets <paramref name="world"/>.</summary>
    public void Remove(string world)
    {
        if (_nodes.Remove(world, out var node))
        {
            _order.Remove(node);
        }
    }

    /// <summary>Worlds stepped at or after <paramref name="since"/> (walks from the most recent, so costs only those).</summary>
    public int SteppedSince(long since)
    {
        var count = 0;
        for (var node = _order.Last; node is not null && node.Value.SteppedAt >= since; node = node.Previous)
        {
            count++;
        }
        return count;
    }

    /// <summary>Forgets every world.</summary>
    public void Clear()
    {
        _order.Clear();
        _nodes.Clear();
    }
}
