namespace WorldCluster.Runtime.Placement;

/// <summary>Keeps the latest load report of each silo; reports older than <see cref="MaxAge"/> are forgotten.</summary>
public sealed class ClusterLoadGrain(TimeProvider time) : Grain, IClusterLoadGrain
{
    /// <summary>How long a silo's report counts.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly Dictionary<SiloAddress, SiloLoad> _loads = [];

    /// <inheritdoc />
    public Task<Dictionary<SiloAddress, SiloLoad>> ReportAsync(SiloAddress silo, SiloLoad load)
    {
        _loads[silo] = load;
        var cutoff = time.GetUtcNow() - MaxAge;
        foreach (var stale in _loads.Where(kv => kv.Value.ReportedAt < cutoff).Select(kv => kv.Key).ToList())
        {
            _loads.Remove(stale);
        }
        return Task.FromResult(new Dictionary<SiloAddress, SiloLoad>(_loads));
    }
}
