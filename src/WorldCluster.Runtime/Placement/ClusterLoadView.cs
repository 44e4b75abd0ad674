namespace WorldCluster.Runtime.Placement;

/// <summary>This silo's latest view of every silo's load, read by placement without any remote call.</summary>
public sealed class ClusterLoadView
{
    private readonly Lock _gate = new();
    private Dictionary<SiloAddress, double> _scores = [];
    private Dictionary<SiloAddress, SiloLoad> _loads = [];

    /// <summary>The latest reports, by silo (for rebalancing).</summary>
    public IReadOnlyDictionary<SiloAddress, SiloLoad> Loads
    {
        get
        {
            lock (_gate)
            {
                return _loads;
            }
        }
    }

    /// <summary>Replaces the view with fresh reports.</summary>
    public void Update(IReadOnlyDictionary<SiloAddress, SiloLoad> loads)
    {
        lock (_gate)
        {
            _scores = loads.ToDictionary(kv => kv.Key, kv => kv.Value.Score);
            _loads = new Dictionary<SiloAddress, SiloLoad>(loads);
        }
    }

    /// <summary>The silo with the lowest score among <paramref name="candidates"/> (unknown silos count as empty), counting the new world against it.</summary>
    public SiloAddress PickAndCount(IReadOnlyList<SiloAddress> candidates)
    {
        lock (_gate)
        {
            var best = candidates
                .Select((silo, i) => (silo, score: _scores.GetValueOrDefault(silo), i))
                .OrderBy(c => c.score)
                .ThenBy(c => c.silo.GetConsistentHashCode())
                .First().silo;
            // Until the next report, count this placement, so a burst of new worlds spreads instead of piling on one silo.
            _scores[best] = _scores.GetValueOrDefault(best) + 1;
            return best;
        }
    }
}
