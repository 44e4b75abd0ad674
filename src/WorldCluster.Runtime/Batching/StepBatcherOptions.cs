namespace WorldCluster.Runtime.Batching;

/// <summary>How a silo's step batchers form batches.</summary>
public sealed class StepBatcherOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Batching";

    /// <summary>Most worlds in one forward pass.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Longest a step waits for company before its batch runs anyway.</summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Steps that may wait per model; past this, callers get <see cref="StepQueueFullException"/>.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for settings the batcher cannot run with.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueDelay, TimeSpan.Zero, nameof(MaxQueueDelay));
    }
}
