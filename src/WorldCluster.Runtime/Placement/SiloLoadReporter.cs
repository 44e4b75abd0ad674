using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Placement;

/// <summary>Every second, reports this silo's load (active worlds, queued steps) to the cluster, refreshes the local view and sets the working set ÷ budget gauge.</summary>
public sealed class SiloLoadReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    ActiveWorldCounter worlds,
    StepBatchers batchers,
    ClusterLoadView view,
    TimeProvider time,
    ILogger<SiloLoadReporter> logger) : BackgroundService
{
    /// <summary>How often the load is reported.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        var registry = grains.GetGrain<IClusterLoadGrain>("load");
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // The gauge is set first, so that it stays fresh while the cluster's load grain is unreachable.
                var share = await batchers.PublishWorkingSetShareAsync();
                var busy = batchers.All.Select(b => b.BusyRatio).DefaultIfEmpty(0).Max();
                var load = new SiloLoad(worlds.Count, batchers.All.Sum(b => b.QueueDepth), time.GetUtcNow(), share, busy);
                view.Update(await registry.ReportAsync(silo.SiloAddress, load));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Load report failed; placement keeps the last view");
            }
        }
    }
}
