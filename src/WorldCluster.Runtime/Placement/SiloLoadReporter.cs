using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Placement;

/// <summary>Every second, reports this silo's load (active worlds, queued steps) to the cluster and refreshes the local view.</summary>
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

    private async Task<double> WorkingSetShare()
    {
        var budget = batchers.Budget.BudgetBytes;
        return budget == 0 ? 0 : (await Task.WhenAll(batchers.All.Select(b => b.WorkingSetBytesAsync()))).Sum() / (double)budget;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        var registry = grains.GetGrain<IClusterLoadGrain>("load");
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var load = new SiloLoad(worlds.Count, batchers.All.Sum(b => b.QueueDepth), time.GetUtcNow(), await WorkingSetShare());
                view.Update(await registry.ReportAsync(silo.SiloAddress, load));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Load report failed; placement keeps the last view");
            }
        }
    }
}
