using Microsoft.Extensions.Hosting;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Batching;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// Tells each world its batcher spilled (a one-way call), so that a world nobody is stepping deactivates: its state is
/// snapshotted to storage and leaves host memory, and it comes back from storage when next called.
/// </summary>
public sealed class SpilledWorldNotifier(StepBatchers batchers, IGrainFactory grains) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var batcher in batchers.All)
        {
            batcher.Spilled += Notify;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var batcher in batchers.All)
        {
            batcher.Spilled -= Notify;
        }
        return Task.CompletedTask;
    }

    // On the batcher thread: a one-way call only queues a message.
    private void Notify(string world) => _ = grains.GetGrain<IWorldGrain>(world).StateSpilledAsync();
}
