namespace WorldCluster.Benchmarks;

/// <summary>
/// Where the wall time of one served world step goes, at one world count of (b): the model's forward pass, the batcher's
/// own work around it, and the cluster's (everything else), each in microseconds per world step.
/// </summary>
/// <param name="Worlds">Worlds stepping.</param>
/// <param name="MeanBatchSize">Real worlds per model call.</param>
/// <param name="MicrosPerStep">Wall time per served world step: 1 ÷ (b) steps per second.</param>
/// <param name="ForwardMicros">The model's forward pass per world: mean forward time ÷ mean batch.</param>
/// <param name="BatcherMicros">The rest of the batched call per world (stacking, scene memory, copies back, the NaN check).</param>
/// <param name="ClusterMicros">What is left: wall time per step outside the batched call (grain turns, digest, journal, client).</param>
/// <param name="ModelBusy">Share of the wall time the model's forward passes took.</param>
/// <param name="LimitMicrosLow">The lower of (a)'s costs per world at the measured batch sizes just below and just above the mean batch.</param>
/// <param name="LimitMicrosHigh">The higher of those two.</param>
public sealed record StepProfile(
    int Worlds, double MeanBatchSize, double MicrosPerStep, double ForwardMicros, double BatcherMicros, double ClusterMicros,
    double ModelBusy, double LimitMicrosLow, double LimitMicrosHigh)
{
    /// <summary>The profile of <paramref name="served"/>, beside the model's own cost per world from <paramref name="limit"/>; null when nothing was served.</summary>
    public static StepProfile? Of(ServedPoint served, IReadOnlyList<LimitPoint> limit)
    {
        if (served.StepsPerSecond <= 0 || served.MeanBatchSize <= 0)
        {
            return null;
        }
        var perStep = 1e6 / served.StepsPerSecond;
        var forward = served.MeanForwardMs * 1000 / served.MeanBatchSize;
        var batcher = Math.Max(0, served.MeanBatchCallMs - served.MeanForwardMs) * 1000 / served.MeanBatchSize;
        // The batch sizes of (a) around the served mean batch bracket what the model alone costs per world at that batch.
        var below = limit.Where(l => l.BatchSize <= served.MeanBatchSize).MaxBy(l => l.BatchSize);
        var above = limit.Where(l => l.BatchSize >= served.MeanBatchSize).MinBy(l => l.BatchSize);
        var costs = new[] { below, above }.OfType<LimitPoint>().Select(l => l.MsPerCall * 1000 / l.BatchSize).ToList();
        return new StepProfile(served.Worlds, served.MeanBatchSize, Round(perStep), Round(forward), Round(batcher),
            Round(perStep - forward - batcher), served.ModelBusy,
            costs.Count == 0 ? 0 : Round(costs.Min()), costs.Count == 0 ? 0 : Round(costs.Max()));
    }

    private static double Round(double micros) => Math.Round(micros, 1);
}
