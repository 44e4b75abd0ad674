using Prometheus;

namespace WorldCluster.Runtime.Metrics;

/// <summary>
/// Counts the batched model calls in flight across a process's batchers and, each time the last of them ends, reads how
/// many TorchSharp tensors are still alive: with no step running, every one of them outlived its step (weights, caches,
/// leaks), so growth of this reading is a leak and nothing else.
/// </summary>
/// <remarks>
/// The plain live-tensor gauge is read at scrape time and sees whatever batch happens to be running (about 600 tensors
/// during a reference-world batch, 46 between them), so its lowest reading over a window depends on luck: one CI soak saw
/// a batch in flight at all eight scrapes of its last window. This reading does not depend on when anyone scrapes.
/// </remarks>
/// <param name="gauge">Where the reading goes.</param>
/// <param name="liveTensors">Reads the live tensor count (TorchSharp's <c>Tensor.TotalCount</c> in a process).</param>
public sealed class TensorCensus(Gauge gauge, Func<long> liveTensors)
{
    private readonly Lock _lock = new();
    private int _inFlight;

    /// <summary>Batched calls in flight now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Call before a batch creates its first tensor.</summary>
    public void BatchStarting()
    {
        // Under the lock, so a batch cannot start between the last one ending and the count being read.
        lock (_lock)
        {
            _inFlight++;
        }
    }

    /// <summary>Call after a batch disposed its tensors; reads the count when no other batch is running.</summary>
    public void BatchEnded()
    {
        lock (_lock)
        {
            if (_inFlight == 0)
            {
                throw new InvalidOperationException("a batch ended that never started");
            }
            if (--_inFlight == 0)
            {
                gauge.Set(liveTensors());
            }
        }
    }
}
