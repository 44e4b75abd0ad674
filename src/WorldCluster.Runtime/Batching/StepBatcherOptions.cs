using System.Text.RegularExpressions;

namespace WorldCluster.Runtime.Batching;

/// <summary>How a silo's step batchers form batches, and on which device they run.</summary>
public sealed partial class StepBatcherOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Batching";

    /// <summary>Most worlds in one forward pass.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Longest a step waits for company before its batch runs anyway.</summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Stop waiting for company once a batch is as large as the previous one (continuous batching): worlds that step in a
    /// loop come back as a group, and waiting past that only adds the delay to every step. Off: always wait the full delay.
    /// </summary>
    public bool StopAtPreviousBatchSize { get; set; } = true;

    /// <summary>Steps that may wait per model; past this, callers get <see cref="StepQueueFullException"/>.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Where batches run: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c> (needs a TorchSharp CUDA package).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// How far back <c>worldcluster_batcher_busy_ratio</c> looks: long enough to smooth a burst between two scrapes, short
    /// enough for an autoscaler to see load change within a minute (docs/operations.md, "Autoscaling model silos").
    /// </summary>
    public TimeSpan BusyWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for settings the batcher cannot run with.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueDelay, TimeSpan.Zero, nameof(MaxQueueDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyWindow, TimeSpan.FromSeconds(1), nameof(BusyWindow));
        if (Device is null || !DevicePattern().IsMatch(Device))
        {
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Device must be 'cpu', 'cuda' or 'cuda:N'");
        }
    }

    [GeneratedRegex("^(cpu|cuda(:[0-9]{1,2})?)$")]
    private static partial Regex DevicePattern();
}
