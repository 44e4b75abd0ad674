using Prometheus;

namespace WorldCluster.Runtime.Metrics;

/// <summary>The registry that holds one silo's <see cref="WorldClusterMetrics"/>, exported beside the process-wide default registry.</summary>
/// <remarks>
/// A process-wide registry is shared by every host in the process: with several silos in one test process, one host's
/// gauges (load failures, budget) were overwritten by another's start and counters summed over all of them. A silo's
/// own instruments therefore live here; the default registry keeps what really belongs to the process (.NET runtime,
/// process, HTTP and Orleans meters).
/// </remarks>
public sealed class SiloMetricsRegistry
{
    /// <summary>Creates an empty registry and this silo's instruments in it.</summary>
    public SiloMetricsRegistry()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Registry));
        Registry.AddBeforeCollectCallback(Metrics.SampleBeforeScrape);
    }

    /// <summary>The silo's own registry.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>The silo's instruments.</summary>
    public WorldClusterMetrics Metrics { get; }

    /// <summary>Writes the process-wide metrics and then this silo's in Prometheus text format (their names do not overlap).</summary>
    public async Task ExportAsTextAsync(Stream destination, CancellationToken cancellationToken)
    {
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(destination, cancellationToken);
        await Registry.CollectAndExportAsTextAsync(destination, cancellationToken);
    }
}
