namespace WorldCluster.Benchmarks;

/// <summary>What <c>worldcluster-bench agents</c> measured: the machine, the libtorch threads on both sides, one result per model.</summary>
/// <param name="Benchmark">Always <c>agents</c>.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Seconds">Length of each measurement.</param>
/// <param name="Threads">libtorch's threads in this process and in the PyTorch peer.</param>
/// <param name="Models">One result per model.</param>
public sealed record AgentsReport(string Benchmark, DateTimeOffset StartedAt, MachineInfo Machine, double Seconds, TorchThreads Threads, IReadOnlyList<AgentsModelResult> Models);

/// <summary>libtorch's thread settings, matched between TorchSharp and the PyTorch peer before comparing.</summary>
/// <param name="IntraOp">Intra-op threads (<c>torch.set_num_threads</c>) in this process.</param>
/// <param name="InterOp">Inter-op threads in this process.</param>
/// <param name="PeerIntraOp">Intra-op threads the PyTorch peer ran with (0 when no peer ran).</param>
/// <param name="PeerInterOp">Inter-op threads the PyTorch peer ran with (0 when no peer ran).</param>
/// <param name="PeerTorch">The peer's torch version (empty when no peer ran).</param>
public sealed record TorchThreads(int IntraOp, int InterOp, int PeerIntraOp, int PeerInterOp, string PeerTorch);

/// <summary>One model's rows, one per world count.</summary>
/// <param name="Model">The model's id (<c>name@version</c>).</param>
/// <param name="TorchScript">True when the model is a TorchScript package, so the PyTorch loops ran over its <c>model.pt</c>.</param>
/// <param name="Rows">One row per world count.</param>
public sealed record AgentsModelResult(string Model, bool TorchScript, IReadOnlyList<AgentsRow> Rows);

/// <summary>Steps per second at one world count, by path, and the ratios the goals name (0 where a path did not run).</summary>
/// <param name="Worlds">Worlds stepping.</param>
/// <param name="ModelLoop">(a) the model's own batched step in a tight loop, in-process.</param>
/// <param name="Served">(b) on-demand worlds served in-process through the cluster.</param>
/// <param name="VectorFrames">(c) the Python <c>VectorWorldEnv</c> over the agent plane, frames raw.</param>
/// <param name="VectorNoFrames">(c) the same with no frames.</param>
/// <param name="TorchPerWorld">(d) PyTorch over the package's <c>model.pt</c>, one call per world.</param>
/// <param name="TorchBatched">(d) the same, all worlds in one call.</param>
/// <param name="VectorOverModel">(c, frames) ÷ (a); goal at 64 worlds and up: at least 0.8.</param>
/// <param name="VectorOverTorchBatched">(c, frames) ÷ (d, batched); goal: at least 1.0.</param>
public sealed record AgentsRow(
    int Worlds, double ModelLoop, double Served, double VectorFrames, double VectorNoFrames, double TorchPerWorld, double TorchBatched,
    double VectorOverModel, double VectorOverTorchBatched);
