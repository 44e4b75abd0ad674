using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorldCluster.Models.Catalog;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Runtime.Batching;

/// <summary>One <see cref="StepBatcher"/> per served model, started and stopped with the host.</summary>
public sealed class StepBatchers : IHostedService, IDisposable
{
    private readonly ModelCatalog _catalog;
    private readonly Dictionary<string, StepBatcher> _batchers;
    private readonly WorldClusterMetrics _metrics;
    private readonly Action _sampleBusy;

    /// <summary>Creates a batcher for every model in the catalog.</summary>
    /// <param name="catalog">The models served.</param>
    /// <param name="options">The batchers' settings.</param>
    /// <param name="resident">The silo's resident state budget (all batchers share it).</param>
    /// <param name="time">The clock.</param>
    /// <param name="metrics">Where to count.</param>
    /// <param name="loggers">Where to log.</param>
    public StepBatchers(ModelCatalog catalog, IOptions<StepBatcherOptions> options, IOptions<ResidentStateOptions> resident, TimeProvider time,
        WorldClusterMetrics metrics, ILoggerFactory loggers)
    {
        resident.Value.Validate();
        _catalog = catalog;
        _metrics = metrics;
        Budget = new ResidentBudget(resident.Value);
        metrics.ResidentStateBudget.Set(Budget.BudgetBytes);
        _batchers = catalog.All.ToDictionary(
            m => m.Manifest.Id,
            m => new StepBatcher(m, options.Value, time, metrics, loggers.CreateLogger<StepBatcher>(), Budget),
            StringComparer.Ordinal);
        // Read at each scrape rather than with the load report: the report waits for a batcher's thread (the working set
        // is counted between batches), so during a long model call it would hold the share from before the call.
        _sampleBusy = PublishBusyRatios;
        metrics.AddSampler(_sampleBusy);
    }

    /// <summary>The silo's resident state budget.</summary>
    public ResidentBudget Budget { get; }

    /// <summary>
    /// Whether a new world of <paramref name="batcher"/>'s model fits: the working sets of every batcher here (worlds
    /// stepped within the admission window) leave room in the budget for one more state. Counts a refusal.
    /// </summary>
    public async Task<bool> AdmitsAsync(StepBatcher batcher)
    {
        if (Budget.BudgetBytes == 0)
        {
            return true;
        }
        if (await WorkingSetBytesAsync() + batcher.StateBytesPerWorld <= Budget.BudgetBytes)
        {
            return true;
        }
        _metrics.AdmissionsRefused.WithLabels(batcher.Manifest.Name).Inc();
        return false;
    }

    /// <summary>
    /// The state bytes of the worlds every batcher here stepped within the admission window ÷ the budget (0 when
    /// unbounded): above 1, working worlds spill each other and new ones are refused.
    /// </summary>
    public async Task<double> WorkingSetShareAsync()
    {
        var budget = Budget.BudgetBytes;
        return budget == 0 ? 0 : await WorkingSetBytesAsync() / (double)budget;
    }

    // State bytes of the worlds every batcher here stepped within the admission window (each counted on its own thread).
    private async Task<long> WorkingSetBytesAsync() => (await Task.WhenAll(_batchers.Values.Select(b => b.WorkingSetBytesAsync()))).Sum();

    /// <summary>Sets the working set ÷ budget gauge (an autoscaling signal) and returns the share for the load report.</summary>
    public async Task<double> PublishWorkingSetShareAsync()
    {
        var share = await WorkingSetShareAsync();
        _metrics.ResidentStateBudgetRatio.Set(share);
        return share;
    }

    private void PublishBusyRatios()
    {
        // Two versions of one model share its label: the busier batcher speaks for it.
        foreach (var model in _batchers.Values.GroupBy(b => b.Manifest.Name, StringComparer.Ordinal))
        {
            _metrics.BatcherBusyRatio.WithLabels(model.Key).Set(model.Max(b => b.BusyRatio));
        }
    }

    /// <summary>The batcher of a model named <c>name</c> (its latest version here) or <c>name@version</c>, if this silo serves it.</summary>
    public bool TryGet(string model, out StepBatcher batcher)
    {
        batcher = null!;
        return _catalog.TryGet(model, out var served) && _batchers.TryGetValue(served.Manifest.Id, out batcher!);
    }

    /// <summary>Every batcher.</summary>
    public IEnumerable<StepBatcher> All => _batchers.Values;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var batcher in _batchers.Values)
        {
            batcher.Start();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        _metrics.RemoveSampler(_sampleBusy);
        foreach (var batcher in _batchers.Values)
        {
            batcher.Dispose();
        }
    }
}
