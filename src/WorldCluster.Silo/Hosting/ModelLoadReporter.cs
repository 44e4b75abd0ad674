using WorldCluster.Models.Packages;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Silo.Hosting;

/// <summary>Logs what the silo loaded at start and publishes the failures as a metric (models load before logging exists).</summary>
internal sealed partial class ModelLoadReporter(ModelLoadReport report, WorldClusterMetrics metrics, ILogger<ModelLoadReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in report.Models)
        {
            var id = model.Manifest.Id;
            if (report.WarmUps.TryGetValue(id, out var warmUp))
            {
                metrics.ModelWarmUpSeconds.WithLabels(model.Manifest.Name, model.Manifest.Version).Set(warmUp.TotalSeconds);
                LogServingWarm(id, warmUp.TotalMilliseconds);
            }
            else
            {
                LogServing(id);
            }
        }
        foreach (var failure in report.Failures)
        {
            LogFailed(failure.Package, failure.Error);
        }
        metrics.ModelLoadFailures.Set(report.Failures.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model}")]
    private partial void LogServing(string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} (warmed up at its batch sizes in {WarmUpMilliseconds:F0} ms)")]
    private partial void LogServingWarm(string model, double warmUpMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Package} is not served: {Reason}")]
    private partial void LogFailed(string package, string reason);
}
