using Orleans.Concurrency;

namespace WorldCluster.Abstractions;

/// <summary>Receives a world's frame updates; one observer per silo fans them out to that silo's subscribers.</summary>
[Alias("WorldCluster.IWorldObserver")]
public interface IWorldObserver : IGrainObserver
{
    /// <summary>One tick's update. Sent one-way, in tick order; a receiver that sees a gap asks the world for the missing ticks.</summary>
    [Alias("OnFrame"), OneWay]
    Task OnFrameAsync(FrameUpdate update);
}
