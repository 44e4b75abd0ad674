namespace WorldCluster.Silo.Tests.Processes;

/// <summary>What a test found wrong, by kind, so that a failure message shows every kind and a few of each.</summary>
public sealed class Findings
{
    private const int ShownPerKind = 8;
    private readonly SortedDictionary<string, List<string>> _byKind = new(StringComparer.Ordinal);

    /// <summary>How many things were found.</summary>
    public int Count => _byKind.Values.Sum(v => v.Count);

    /// <summary>Adds what was found of one kind.</summary>
    public void Add(string kind, IEnumerable<string> found)
    {
        var list = found.ToList();
        if (list.Count == 0)
        {
            return;
        }
        if (!_byKind.TryGetValue(kind, out var known))
        {
            _byKind[kind] = known = [];
        }
        known.AddRange(list);
    }

    /// <summary>Each kind with its count and its first few, as a failure message.</summary>
    public override string ToString() => string.Join("\n", _byKind.Select(k =>
        $"{k.Key}: {k.Value.Count}" + string.Concat(k.Value.Take(ShownPerKind).Select(v => $"\n  {v}")) +
        (k.Value.Count > ShownPerKind ? $"\n  … {k.Value.Count - ShownPerKind} more" : "")));
}
