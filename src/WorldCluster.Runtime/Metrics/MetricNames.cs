namespace WorldCluster.Runtime.Metrics;

/// <summary>Prometheus names of WorldCluster's own metrics, in one place so dashboards and code agree.</summary>
public static class MetricNames
{
    /// <summary>Seconds per batched model call (histogram; labels model, phase).</summary>
    public const string StepSeconds = "worldcluster_step_seconds";

    /// <summary>Seconds of the model's own forward pass within a batched model call; the rest of the call stacks states, writes scene memory and copies results to host bytes (histogram; labels model, phase).</summary>
    public const string StepForwardSeconds = "worldcluster_step_forward_seconds";

    /// <summary>Worlds per batched model call (histogram; label model).</summary>
    public const string BatchSize = "worldcluster_batch_size";

    /// <summary>Seconds a step waited in the batcher queue (histogram; label model).</summary>
    public const string BatchQueueDelaySeconds = "worldcluster_batch_queue_delay_seconds";

    /// <summary>Steps refused because the batcher queue was full (counter; label model).</summary>
    public const string BatchQueueRejectionsTotal = "worldcluster_batch_queue_rejections_total";

    /// <summary>Batched model calls that failed (counter; label model).</summary>
    public const string StepFailuresTotal = "worldcluster_step_failures_total";

    /// <summary>Worlds whose init or step failed, one per world: its own output was bad, or its batch's model call threw (counter; label model).</summary>
    public const string WorldStepFailuresTotal = "worldcluster_world_step_failures_total";

    /// <summary>World activations holding a world on this silo (gauge; label model).</summary>
    public const string ActiveWorlds = "worldcluster_active_worlds";

    /// <summary>Ticks taken: on-demand steps once journaled, real-time ticks when computed (counter; label model).</summary>
    public const string TicksTotal = "worldcluster_ticks_total";

    /// <summary>Seconds per snapshot write (histogram).</summary>
    public const string SnapshotSeconds = "worldcluster_snapshot_seconds";

    /// <summary>Storage operations that failed, conflicts and corrupt data included (counter; label reason).</summary>
    public const string StorageErrorsTotal = "worldcluster_storage_errors_total";

    /// <summary>Seconds per journal append (histogram).</summary>
    public const string JournalFlushSeconds = "worldcluster_journal_flush_seconds";

    /// <summary>Sessions (players and spectators) in worlds on this silo (gauge; label model).</summary>
    public const string Participants = "worldcluster_participants";

    /// <summary>Frame updates a world sent to subscribed silos (counter; label model).</summary>
    public const string FrameUpdatesPublishedTotal = "worldcluster_frame_updates_published_total";

    /// <summary>Frames sent to session clients by this silo (counter; label role).</summary>
    public const string FramesSentTotal = "worldcluster_frames_sent_total";

    /// <summary>Seconds to encode one world frame for a session stream, once per world, format and silo (histogram; label format).</summary>
    public const string FrameEncodeSeconds = "worldcluster_frame_encode_seconds";

    /// <summary>Frame message bytes sent to session clients by this silo; divide by the viewers of a format for bytes per viewer (counter; label format).</summary>
    public const string SessionBytesSentTotal = "worldcluster_session_bytes_sent_total";

    /// <summary>Frames a slow viewer skipped to resume at the next keyframe (counter; label format).</summary>
    public const string SessionFramesDroppedTotal = "worldcluster_session_frames_dropped_total";

    /// <summary>Sessions open on this silo (gauge; label format): the divisor for per-viewer rates.</summary>
    public const string SessionViewers = "worldcluster_session_viewers";

    /// <summary>Real-time ticks skipped because the batcher was saturated (counter; label model).</summary>
    public const string TicksSkippedTotal = "worldcluster_ticks_skipped_total";

    /// <summary>How late real-time ticks start against their schedule (histogram; label model).</summary>
    public const string TickLatenessSeconds = "worldcluster_tick_lateness_seconds";

    /// <summary>Gauge: model packages this silo found but could not load (see <c>GET /api/models</c>'s <c>failed</c>).</summary>
    public const string ModelLoadFailures = "worldcluster_model_load_failures";

    /// <summary>Gauge: seconds the load-time warm-up of a served model took (one init and one step at each batch size it runs at; labels model, version).</summary>
    public const string ModelWarmUpSeconds = "worldcluster_model_warmup_seconds";

    /// <summary>Seconds from a real-time tick's due time to its frame handed to subscribers (histogram; label model).</summary>
    public const string TickSeconds = "worldcluster_tick_seconds";

    /// <summary>Seconds of a real-time tick spent in the model call of its batch (histogram; label model).</summary>
    public const string TickForwardSeconds = "worldcluster_tick_forward_seconds";

    /// <summary>Seconds of a real-time tick not spent in the model call: queueing, copies, journal, fan-out (histogram; label model).</summary>
    public const string TickOverheadSeconds = "worldcluster_tick_overhead_seconds";

    /// <summary>Real-time ticks whose frame was handed out after the next tick was due (counter; label model).</summary>
    public const string TicksLateTotal = "worldcluster_ticks_late_total";

    /// <summary>Device bytes of the world states a model's batcher holds between steps (gauge; label model).</summary>
    public const string ResidentStateBytes = "worldcluster_resident_state_bytes";

    /// <summary>The silo's budget for resident state bytes, 0 when unbounded (gauge).</summary>
    public const string ResidentStateBudgetBytes = "worldcluster_resident_state_budget_bytes";

    /// <summary>Gauge: the silo's resident state working set (state bytes of worlds stepped within the admission window) ÷ its budget, 0 when unbounded; an autoscaling signal.</summary>
    public const string ResidentStateBudgetRatio = "worldcluster_resident_state_budget_ratio";

    /// <summary>Gauge: the share of recent wall time a model's batcher spent in model calls, 0 to 1, read at each scrape (label model); an autoscaling signal.</summary>
    public const string BatcherBusyRatio = "worldcluster_batcher_busy_ratio";

    /// <summary>Worlds whose state was moved off the device to make room (counter; label model).</summary>
    public const string StateSpillsTotal = "worldcluster_state_spills_total";

    /// <summary>Steps that took a spilled world's state back onto the device (counter; label model).</summary>
    public const string StateResumesTotal = "worldcluster_state_resumes_total";

    /// <summary>Seconds from a spilled world's step arriving to its result (histogram; label model).</summary>
    public const string StateResumeSeconds = "worldcluster_state_resume_seconds";

    /// <summary>World creations and activations refused because the silo's resident state budget is taken by working worlds (counter; label model).</summary>
    public const string AdmissionsRefusedTotal = "worldcluster_admissions_refused_total";

    /// <summary>TorchSharp tensors alive in the process, sampled at each scrape (gauge): flat when nothing leaks.</summary>
    public const string LiveTensors = "worldcluster_torch_live_tensors";

    /// <summary>Gauge: TorchSharp tensors alive the last time no batched model call was running: what outlives a step (a leak shows as growth).</summary>
    public const string LiveTensorsBetweenBatches = "worldcluster_torch_live_tensors_between_batches";

    /// <summary>Gauge: bytes in live C-allocator (glibc malloc) allocations: libtorch's CPU tensors and other native memory.</summary>
    public const string NativeHeapInUse = "worldcluster_native_heap_in_use_bytes";

    /// <summary>Gauge: bytes the C allocator holds from the operating system (in use plus kept free in its arenas).</summary>
    public const string NativeHeapHeld = "worldcluster_native_heap_held_bytes";
}
