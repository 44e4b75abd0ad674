using Prometheus;
using WorldCluster.Models.Torch;

namespace WorldCluster.Runtime.Metrics;

/// <summary>WorldCluster's Prometheus instruments (see <see cref="MetricNames"/> for what each one means).</summary>
/// <remarks>
/// prometheus-net's own instruments rather than System.Diagnostics.Metrics: we want exact Prometheus names and
/// histogram buckets chosen for model steps. Orleans' meters are exported beside them by prometheus-net's meter adapter.
/// </remarks>
public sealed class WorldClusterMetrics
{
    private static readonly double[] SecondsBuckets = Histogram.ExponentialBuckets(0.0001, 2, 16);
    private readonly List<Action> _samplers = [];

    // Per-tick timings are read as percentiles by `worldcluster-bench`: 25 % steps from 50 µs to ~2.8 s.
    private static readonly double[] TickBuckets = Histogram.ExponentialBuckets(0.00005, 1.25, 50);

    /// <summary>Creates the instruments in <paramref name="factory"/> (hosts use a <see cref="SiloMetricsRegistry"/>).</summary>
    /// <param name="factory">Where the instruments are created.</param>
    /// <param name="liveTensors">Reads the live tensor count for <see cref="Tensors"/> (TorchSharp's own count unless a test counts).</param>
    public WorldClusterMetrics(IMetricFactory factory, Func<long>? liveTensors = null)
    {
        StepSeconds = factory.CreateHistogram(MetricNames.StepSeconds, "Seconds per batched model call.",
            ["model", "phase"], new HistogramConfiguration { Buckets = SecondsBuckets });
        ForwardSeconds = factory.CreateHistogram(MetricNames.StepForwardSeconds, "Seconds of the model's own forward pass within a batched model call.",
            ["model", "phase"], new HistogramConfiguration { Buckets = SecondsBuckets });
        BatchSize = factory.CreateHistogram(MetricNames.BatchSize, "Worlds per batched model call.",
            ["model"], new HistogramConfiguration { Buckets = Histogram.PowersOfTenDividedBuckets(0, 3, 4) });
        QueueDelay = factory.CreateHistogram(MetricNames.BatchQueueDelaySeconds, "Seconds a step waited in the batcher queue.",
            ["model"], new HistogramConfiguration { Buckets = SecondsBuckets });
        QueueRejections = factory.CreateCounter(MetricNames.BatchQueueRejectionsTotal, "Steps refused because the batcher queue was full.", ["model"]);
        StepFailures = factory.CreateCounter(MetricNames.StepFailuresTotal, "Batched model calls that failed.", ["model"]);
        WorldStepFailures = factory.CreateCounter(MetricNames.WorldStepFailuresTotal, "Worlds whose init or step failed.", ["model"]);
        ActiveWorlds = factory.CreateGauge(MetricNames.ActiveWorlds, "World activations holding a world on this silo.", ["model"]);
        Ticks = factory.CreateCounter(MetricNames.TicksTotal, "Ticks taken.", ["model"]);
        SnapshotSeconds = factory.CreateHistogram(MetricNames.SnapshotSeconds, "Seconds per snapshot write.",
            [], new HistogramConfiguration { Buckets = SecondsBuckets });
        StorageErrors = factory.CreateCounter(MetricNames.StorageErrorsTotal, "Storage operations that failed.", ["reason"]);
        JournalSeconds = factory.CreateHistogram(MetricNames.JournalFlushSeconds, "Seconds per journal append.",
            [], new HistogramConfiguration { Buckets = SecondsBuckets });
        Participants = factory.CreateGauge(MetricNames.Participants, "Sessions in worlds on this silo.", ["model"]);
        FramesPublished = factory.CreateCounter(MetricNames.FrameUpdatesPublishedTotal, "Frame updates sent to subscribed silos.", ["model"]);
        FramesSent = factory.CreateCounter(MetricNames.FramesSentTotal, "Frames sent to session clients.", ["role"]);
        FrameEncodeSeconds = factory.CreateHistogram(MetricNames.FrameEncodeSeconds, "Seconds to encode one world frame for a session stream.",
            ["format"], new HistogramConfiguration { Buckets = SecondsBuckets });
        SessionBytesSent = factory.CreateCounter(MetricNames.SessionBytesSentTotal, "Frame message bytes sent to session clients.", ["format"]);
        SessionFramesDropped = factory.CreateCounter(MetricNames.SessionFramesDroppedTotal, "Frames slow viewers skipped to resume at a keyframe.", ["format"]);
        SessionViewers = factory.CreateGauge(MetricNames.SessionViewers, "Sessions open on this silo.", ["format"]);
        TickLateness = factory.CreateHistogram(MetricNames.TickLatenessSeconds, "How late real-time ticks start against their schedule.",
            ["model"], new HistogramConfiguration { Buckets = SecondsBuckets });
        TickSeconds = factory.CreateHistogram(MetricNames.TickSeconds, "Seconds from a real-time tick's due time to its frame handed out.",
            ["model"], new HistogramConfiguration { Buckets = TickBuckets });
        TickForwardSeconds = factory.CreateHistogram(MetricNames.TickForwardSeconds, "Seconds of a real-time tick spent in the model call.",
            ["model"], new HistogramConfiguration { Buckets = TickBuckets });
        TickOverheadSeconds = factory.CreateHistogram(MetricNames.TickOverheadSeconds, "Seconds of a real-time tick not spent in the model call.",
            ["model"], new HistogramConfiguration { Buckets = TickBuckets });
        TicksLate = factory.CreateCounter(MetricNames.TicksLateTotal, "Real-time ticks handed out after the next tick was due.", ["model"]);
        ResidentStateBytes = factory.CreateGauge(MetricNames.ResidentStateBytes, "Device bytes of world states a model's batcher holds between steps.", ["model"]);
        ResidentStateBudget = factory.CreateGauge(MetricNames.ResidentStateBudgetBytes, "The silo's budget for resident state bytes (0: unbounded).");
        ResidentStateBudgetRatio = factory.CreateGauge(MetricNames.ResidentStateBudgetRatio,
            "Resident state working set (worlds stepped within the admission window) divided by the budget (0: unbounded).");
        BatcherBusyRatio = factory.CreateGauge(MetricNames.BatcherBusyRatio, "Share of recent wall time a model's batcher spent in model calls.", ["model"]);
        StateSpills = factory.CreateCounter(MetricNames.StateSpillsTotal, "World states moved off the device to make room.", ["model"]);
        StateResumes = factory.CreateCounter(MetricNames.StateResumesTotal, "Steps that took a spilled world's state back onto the device.", ["model"]);
        StateResumeSeconds = factory.CreateHistogram(MetricNames.StateResumeSeconds, "Seconds from a spilled world's step arriving to its result.",
            ["model"], new HistogramConfiguration { Buckets = SecondsBuckets });
        AdmissionsRefused = factory.CreateCounter(MetricNames.AdmissionsRefusedTotal, "World creations and activations refused for a full resident state budget.", ["model"]);
        TicksSkipped = factory.CreateCounter(MetricNames.TicksSkippedTotal, "Real-time ticks skipped at a saturated batcher.", ["model"]);
        ModelLoadFailures = factory.CreateGauge(MetricNames.ModelLoadFailures, "Model packages found but not loaded.");
        ModelWarmUpSeconds = factory.CreateGauge(MetricNames.ModelWarmUpSeconds, "Seconds the load-time warm-up of a served model took.", ["model", "version"]);

        LiveTensors = factory.CreateGauge(MetricNames.LiveTensors, "TorchSharp tensors alive in this process (native memory held).");
        LiveTensorsBetweenBatches = factory.CreateGauge(MetricNames.LiveTensorsBetweenBatches,
            "TorchSharp tensors alive the last time no batched model call was running (what outlives a step).");
        Tensors = new TensorCensus(LiveTensorsBetweenBatches, liveTensors ?? (() => TorchSharp.torch.Tensor.TotalCount));
        NativeHeapInUse = factory.CreateGauge(MetricNames.NativeHeapInUse, "Bytes in live C-allocator allocations (libtorch CPU tensors and other native memory).");
        NativeHeapHeld = factory.CreateGauge(MetricNames.NativeHeapHeld, "Bytes the C allocator holds from the operating system, free arena space included.");
    }

    /// <summary>TorchSharp tensors alive in this process; set by <see cref="SampleNative"/> before each scrape.</summary>
    public Gauge LiveTensors { get; }

    /// <summary>TorchSharp tensors alive the last time no batched model call was running; set by <see cref="Tensors"/>.</summary>
    public Gauge LiveTensorsBetweenBatches { get; }

    /// <summary>The count of batches in flight and the tensors left alive between them.</summary>
    public TensorCensus Tensors { get; }

    /// <summary>Bytes in live native allocations; set by <see cref="SampleNative"/> where glibc reports them.</summary>
    public Gauge NativeHeapInUse { get; }

    /// <summary>Bytes the native allocator holds from the OS; set by <see cref="SampleNative"/> where glibc reports them.</summary>
    public Gauge NativeHeapHeld { get; }

    /// <summary>Adds a reading to take before each scrape (a gauge that must be fresh when it is read, not when last set).</summary>
    public void AddSampler(Action sample)
    {
        lock (_samplers)
        {
            _samplers.Add(sample);
        }
    }

    /// <summary>Removes a reading added with <see cref="AddSampler"/> (its owner is disposed).</summary>
    public void RemoveSampler(Action sample)
    {
        lock (_samplers)
        {
            _samplers.Remove(sample);
        }
    }

    /// <summary>Runs before each scrape: <see cref="SampleNative"/> and every added reading.</summary>
    public void SampleBeforeScrape()
    {
        SampleNative();
        Action[] samplers;
        lock (_samplers)
        {
            samplers = [.. _samplers];
        }
        foreach (var sample in samplers)
        {
            sample();
        }
    }

    /// <summary>Reads TorchSharp's count of live tensors and the C allocator's figures into their gauges (a leak shows as steady growth).</summary>
    public void SampleNative()
    {
        LiveTensors.Set(TorchSharp.torch.Tensor.TotalCount);
        if (NativeHeap.Read() is { } heap)
        {
            NativeHeapInUse.Set(heap.InUse);
            NativeHeapHeld.Set(heap.Held);
        }
    }

    /// <summary>Seconds per batched model call.</summary>
    public Histogram StepSeconds { get; }

    /// <summary>Worlds per batched model call.</summary>
    public Histogram BatchSize { get; }

    /// <summary>See <see cref="MetricNames.StepForwardSeconds"/>.</summary>
    public Histogram ForwardSeconds { get; }

    /// <summary>Seconds a step waited in the queue.</summary>
    public Histogram QueueDelay { get; }

    /// <summary>Steps refused at a full queue.</summary>
    public Counter QueueRejections { get; }

    /// <summary>Failed model calls.</summary>
    public Counter StepFailures { get; }

    /// <summary>Worlds whose init or step failed (one per world).</summary>
    public Counter WorldStepFailures { get; }

    /// <summary>Active worlds.</summary>
    public Gauge ActiveWorlds { get; }

    /// <summary>Durable ticks.</summary>
    public Counter Ticks { get; }

    /// <summary>Snapshot write seconds.</summary>
    public Histogram SnapshotSeconds { get; }

    /// <summary>Storage errors.</summary>
    public Counter StorageErrors { get; }

    /// <summary>Journal append seconds.</summary>
    public Histogram JournalSeconds { get; }

    /// <summary>Sessions in worlds.</summary>
    public Gauge Participants { get; }

    /// <summary>Frame updates sent to subscribed silos.</summary>
    public Counter FramesPublished { get; }

    /// <summary>Frames sent to session clients.</summary>
    public Counter FramesSent { get; }

    /// <summary>Seconds per frame encode for a session stream.</summary>
    public Histogram FrameEncodeSeconds { get; }

    /// <summary>Frame message bytes sent to session clients.</summary>
    public Counter SessionBytesSent { get; }

    /// <summary>Frames slow viewers skipped.</summary>
    public Counter SessionFramesDropped { get; }

    /// <summary>Sessions open on this silo, by format.</summary>
    public Gauge SessionViewers { get; }

    /// <summary>Skipped real-time ticks.</summary>
    public Counter TicksSkipped { get; }

    /// <summary>Real-time tick lateness.</summary>
    public Histogram TickLateness { get; }

    /// <summary>Model packages that failed to load.</summary>
    public Gauge ModelLoadFailures { get; }

    /// <summary>Seconds each served model's load-time warm-up took.</summary>
    public Gauge ModelWarmUpSeconds { get; }

    /// <summary>Real-time tick seconds, due time to frame handed out.</summary>
    public Histogram TickSeconds { get; }

    /// <summary>Real-time tick seconds in the model call.</summary>
    public Histogram TickForwardSeconds { get; }

    /// <summary>Real-time tick seconds outside the model call.</summary>
    public Histogram TickOverheadSeconds { get; }

    /// <summary>Real-time ticks handed out after the next was due.</summary>
    public Counter TicksLate { get; }

    /// <summary>Device bytes of resident world states, per model.</summary>
    public Gauge ResidentStateBytes { get; }

    /// <summary>The silo's resident state budget in bytes.</summary>
    public Gauge ResidentStateBudget { get; }

    /// <summary>The silo's resident state working set ÷ budget; set with the load report every second.</summary>
    public Gauge ResidentStateBudgetRatio { get; }

    /// <summary>Each model's batcher busy share; read at each scrape.</summary>
    public Gauge BatcherBusyRatio { get; }

    /// <summary>World states spilled off the device.</summary>
    public Counter StateSpills { get; }

    /// <summary>Spilled world states taken back.</summary>
    public Counter StateResumes { get; }

    /// <summary>Seconds a resumed world's step took from arrival to result.</summary>
    public Histogram StateResumeSeconds { get; }

    /// <summary>Creations and activations refused for a full budget.</summary>
    public Counter AdmissionsRefused { get; }
}
