namespace WorldCluster.Runtime.Placement;

/// <summary>Collects every model silo's load report and hands back everyone's (one per cluster, key "load").</summary>
[Alias("WorldCluster.IClusterLoadGrain")]
public interface IClusterLoadGrain : IGrainWithStringKey
{
    /// <summary>Records this silo's load and returns every silo's latest live report.</summary>
    [Alias("Report")]
    Task<Dictionary<SiloAddress, SiloLoad>> ReportAsync(SiloAddress silo, SiloLoad load);
}
