using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Benchmarks;

/// <summary>Where the spill churn's time went, from the silo's own metrics over the churn.</summary>
/// <param name="Calls">Batched model calls (steps).</param>
/// <param name="MeanBatch">Worlds per call.</param>
/// <param name="CallMs">Mean batched call (gather, forward, keep, digests, spills).</param>
/// <param name="ForwardMs">Mean forward pass within a call.</param>
/// <param name="BatcherBusy">Share of the churn the batcher spent in calls.</param>
/// <param name="QueueMs">Mean wait of a step in the batcher's queue.</param>
/// <param name="JournalAppends">Journal appends.</param>
/// <param name="JournalMs">Mean journal append.</param>
/// <param name="Snapshots">Snapshots written (an idle spilled world deactivates, and a deactivation writes one).</param>
/// <param name="SnapshotMs">Mean snapshot write.</param>
public sealed record SpillChurnProfile(long Calls, double MeanBatch, double CallMs, double ForwardMs, double BatcherBusy, double QueueMs,
    long JournalAppends, double JournalMs, long Snapshots, double SnapshotMs)
{
    /// <summary>The metrics' sums and counts at one moment, to take differences of.</summary>
    public sealed record Mark(double CallSum, long CallCount, double ForwardSum, double BatchSum, long BatchCount, double QueueSum, long QueueCount,
        double JournalSum, long JournalCount, double SnapshotSum, long SnapshotCount)
    {
        /// <summary>Reads the metrics of <paramref name="model"/> now.</summary>
        public static Mark Take(WorldClusterMetrics metrics, string model)
        {
            var (call, forward, batch, queue) = (metrics.StepSeconds.WithLabels(model, "step"), metrics.ForwardSeconds.WithLabels(model, "step"),
                metrics.BatchSize.WithLabels(model), metrics.QueueDelay.WithLabels(model));
            return new Mark(call.Sum, call.Count, forward.Sum, batch.Sum, batch.Count, queue.Sum, queue.Count,
                metrics.JournalSeconds.Sum, metrics.JournalSeconds.Count, metrics.SnapshotSeconds.Sum, metrics.SnapshotSeconds.Count);
        }
    }

    /// <summary>The profile of what happened between <paramref name="before"/> and <paramref name="after"/>, <paramref name="seconds"/> apart.</summary>
    public static SpillChurnProfile Between(Mark before, Mark after, double seconds)
    {
        var calls = after.CallCount - before.CallCount;
        var journal = after.JournalCount - before.JournalCount;
        var snapshots = after.SnapshotCount - before.SnapshotCount;
        var queued = after.QueueCount - before.QueueCount;
        return new SpillChurnProfile(calls,
            Round(Ratio(after.BatchSum - before.BatchSum, after.BatchCount - before.BatchCount)),
            Round(Ratio(after.CallSum - before.CallSum, calls) * 1000),
            Round(Ratio(after.ForwardSum - before.ForwardSum, calls) * 1000),
            Round((after.CallSum - before.CallSum) / seconds),
            Round(Ratio(after.QueueSum - before.QueueSum, queued) * 1000),
            journal, Round(Ratio(after.JournalSum - before.JournalSum, journal) * 1000),
            snapshots, Round(Ratio(after.SnapshotSum - before.SnapshotSum, snapshots) * 1000));
    }

    private static double Ratio(double sum, long count) => count == 0 ? 0 : sum / count;

    private static double Round(double value) => Math.Round(value, 3);
}
