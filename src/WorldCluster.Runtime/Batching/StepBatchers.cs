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

    /// <summary>Creates a batcher for every model in the catalog.</summary>
    public StepBatchers(ModelCatalog catalog, IOptions<StepBatcherOptions> options, TimeProvider time, WorldClusterMetrics metrics, ILoggerFactory loggers)
    {
        _catalog = catalog;
        _batchers = catalog.All.ToDictionary(
            m => m.Manifest.Id,
            m => new StepBatcher(m, options.Value, time, metrics, loggers.CreateLogger<StepBatcher>()),
            StringComparer.Ordinal);
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
        foreach (var batcher in _batchers.Values)
        {
            batcher.Dispose();
        }
    }
}
