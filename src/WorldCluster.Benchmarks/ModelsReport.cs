namespace WorldCluster.Benchmarks;

/// <summary>What <c>worldcluster-bench models</c> measured: the machine, the settings, and one result per model.</summary>
/// <param name="Benchmark">Always <c>models</c>.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Settings">The settings it ran with.</param>
/// <param name="Models">One result per model.</param>
public sealed record ModelsReport(string Benchmark, DateTimeOffset StartedAt, MachineInfo Machine, ModelsSettings Settings, IReadOnlyList<ModelResult> Models);

/// <summary>The settings of a <c>worldcluster-bench models</c> run.</summary>
/// <param name="Url">The cluster measured for (b) and (d); null when the benchmark started its own hosts in-process.</param>
/// <param name="Transport">How (b) and (c) reach worlds: <c>orleans</c> (the in-process host's grain client) or <c>http</c>.</param>
/// <param name="Seconds">Length of each measurement.</param>
/// <param name="BatchSizes">Batch sizes of the model's own tight loop (a).</param>
/// <param name="Worlds">World counts of the served measurements (b) and (c).</param>
/// <param name="MaxQueueDelayMs">The batcher's max queue delay in the in-process hosts.</param>
/// <param name="RealtimeWorlds">Worlds ticking in real time in (d).</param>
/// <param name="RealtimePlayers">Player sessions per world in (d).</param>
/// <param name="Hz">Tick rate of the real-time worlds in (d).</param>
public sealed record ModelsSettings(
    string? Url, string Transport, double Seconds, IReadOnlyList<int> BatchSizes, IReadOnlyList<int> Worlds, double MaxQueueDelayMs,
    int RealtimeWorlds, int RealtimePlayers, int Hz);

/// <summary>One model's figures, ratios and goals.</summary>
/// <param name="Model">The model's id (<c>name@version</c>).</param>
/// <param name="StateBytes">Bytes of one world's stored state (manifest, scene memory included).</param>
/// <param name="FrameBytes">Bytes of one world's frame.</param>
/// <param name="Limit">(a) the model's own step in a tight loop, per batch size.</param>
/// <param name="Served">(b) worlds stepping on demand through the cluster, per world count.</param>
/// <param name="Unbatched">(c) the same with a max batch size of 1 (empty against <c>--url</c>).</param>
/// <param name="ModelBatchGain">(a) at its best batch size ÷ (a) at batch size 1.</param>
/// <param name="ServedBatchGain">(b) ÷ (c) at the largest world count (0 when (c) was not measured).</param>
/// <param name="Realtime">(d) real-time worlds with player sessions.</param>
/// <param name="Goals">The goals, met or not.</param>
/// <param name="Profile">Where the time of a served step goes, per world count of (b).</param>
public sealed record ModelResult(
    string Model, long StateBytes, int FrameBytes, IReadOnlyList<LimitPoint> Limit, IReadOnlyList<ServedPoint> Served,
    IReadOnlyList<ServedPoint> Unbatched, double ModelBatchGain, double ServedBatchGain, RealtimeResult Realtime, GoalChecks Goals,
    IReadOnlyList<StepProfile> Profile);

/// <summary>(a) at one batch size.</summary>
/// <param name="BatchSize">Worlds per model call.</param>
/// <param name="Calls">Model calls timed.</param>
/// <param name="MsPerCall">Mean milliseconds per model call.</param>
/// <param name="StepsPerSecond">World steps per second (calls × batch size ÷ seconds).</param>
public sealed record LimitPoint(int BatchSize, long Calls, double MsPerCall, double StepsPerSecond);

/// <summary>(b) or (c) at one world count.</summary>
/// <param name="Worlds">Worlds stepping, each as fast as its step calls return.</param>
/// <param name="Steps">Steps completed during the measurement.</param>
/// <param name="StepsPerSecond">World steps per second.</param>
/// <param name="MeanBatchSize">Real worlds per model call, from the server's <c>worldcluster_batch_size</c>.</param>
/// <param name="MeanBatchCallMs">Mean milliseconds per batched call (stack states, model, unstack), from the server's <c>worldcluster_step_seconds</c>.</param>
/// <param name="MeanForwardMs">Of that, mean milliseconds of the model's own forward pass, from <c>worldcluster_step_forward_seconds</c>.</param>
/// <param name="MeanQueueDelayMs">Mean milliseconds a step waited in the batcher's queue, from <c>worldcluster_batch_queue_delay_seconds</c>.</param>
/// <param name="MeanJournalMs">Mean milliseconds per journal append (a durable write per step), from <c>worldcluster_journal_flush_seconds</c>.</param>
/// <param name="Efficiency">Steps per second ÷ (a) at this many worlds per call (0 where (a) has no such batch size).</param>
/// <param name="ModelBusy">Share of the measured wall time the model's forward passes took: what is left is the cluster's own work (and waiting for it).</param>
public sealed record ServedPoint(int Worlds, long Steps, double StepsPerSecond, double MeanBatchSize, double MeanBatchCallMs, double MeanForwardMs, double MeanQueueDelayMs, double MeanJournalMs, double Efficiency, double ModelBusy);

/// <summary>(d): real-time worlds with players acting through WebSocket sessions.</summary>
/// <param name="Worlds">Worlds ticking.</param>
/// <param name="Players">Player sessions per world.</param>
/// <param name="Hz">Target tick rate.</param>
/// <param name="Seconds">Measured seconds.</param>
/// <param name="TicksPerSecondPerWorld">Ticks per second per world achieved.</param>
/// <param name="Actions">Actions whose frame arrived during the measurement.</param>
/// <param name="LatencyP50Ms">Action sent → frame with that action applied arrives at the player, median.</param>
/// <param name="LatencyP99Ms">The same, 99th percentile.</param>
/// <param name="TickP50Ms">Tick due → frame handed to subscribers, median (server).</param>
/// <param name="TickP99Ms">The same, 99th percentile.</param>
/// <param name="ForwardP50Ms">Model call of the tick's batch, median (server).</param>
/// <param name="ForwardP99Ms">The same, 99th percentile.</param>
/// <param name="OverheadP50Ms">Per tick, everything but the model call: queue, copies, journal, fan-out, median (server).</param>
/// <param name="OverheadP99Ms">The same, 99th percentile.</param>
/// <param name="NotModelP50Ms">Latency median minus the mean model call: what the action-to-frame path adds besides the model.</param>
/// <param name="NotModelP99Ms">Latency 99th percentile minus the mean model call.</param>
/// <param name="LateTicks">Ticks handed out after the next tick was due, plus ticks skipped.</param>
public sealed record RealtimeResult(
    int Worlds, int Players, int Hz, double Seconds, double TicksPerSecondPerWorld, long Actions,
    double LatencyP50Ms, double LatencyP99Ms, double TickP50Ms, double TickP99Ms, double ForwardP50Ms, double ForwardP99Ms,
    double OverheadP50Ms, double OverheadP99Ms, double NotModelP50Ms, double NotModelP99Ms, long LateTicks);

/// <summary>The goals for one model.</summary>
/// <param name="EfficiencyFrom16">Lowest efficiency at 16 worlds and up (goal: at least 0.9).</param>
/// <param name="EfficiencyMet">True when every efficiency from 16 worlds up is at least 0.9.</param>
/// <param name="ServedGainShare">Served batch gain ÷ the model's own batch gain (goal: at least 0.9).</param>
/// <param name="ServedGainMet">True when the served batch gain is at least 0.9 × the model's own.</param>
/// <param name="OverheadMet">True when the per-tick overhead's 99th percentile is at most 2 ms.</param>
/// <param name="NoLateTicks">True when no real-time tick was late or skipped.</param>
public sealed record GoalChecks(double EfficiencyFrom16, bool EfficiencyMet, double ServedGainShare, bool ServedGainMet, bool OverheadMet, bool NoLateTicks);
