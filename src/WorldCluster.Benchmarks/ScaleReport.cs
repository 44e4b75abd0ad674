namespace WorldCluster.Benchmarks;

/// <summary>What <c>worldcluster-bench scale</c> measured: memory per active world and cold activation times on one in-process silo.</summary>
/// <param name="Benchmark">Always <c>scale</c>.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Model">The model's id (<c>name@version</c>).</param>
/// <param name="Worlds">Worlds activated on the silo.</param>
/// <param name="CreateSeconds">Seconds to create (and store) them all.</param>
/// <param name="StateBytes">Bytes of one world's stored state (manifest, scene memory included).</param>
/// <param name="FrameBytes">Bytes of one world's latest frame, which an active world keeps to answer viewers.</param>
/// <param name="ManagedBytesBefore">Live managed heap before the worlds (after a full collection).</param>
/// <param name="ManagedBytesAfter">Live managed heap with every world active.</param>
/// <param name="ProcessBytesBefore">Process resident memory before the worlds.</param>
/// <param name="ProcessBytesAfter">Process resident memory with every world active.</param>
/// <param name="ManagedBytesPerWorld">Managed heap growth ÷ worlds.</param>
/// <param name="ProcessBytesPerWorld">Resident memory growth ÷ worlds.</param>
/// <param name="ManagedPerStateBytes">Managed bytes per world ÷ state bytes (goal: at most 2).</param>
/// <param name="ProcessPerStateBytes">Resident bytes per world ÷ state bytes.</param>
/// <param name="ColdSample">Stored worlds activated one at a time after a silo restart.</param>
/// <param name="ColdActivationP50Ms">First call to a stored, inactive world (activation from the store), median.</param>
/// <param name="ColdActivationP99Ms">The same, 99th percentile.</param>
/// <param name="WarmCallP50Ms">The same call to the now active world, median (what activation adds is the difference).</param>
public sealed record ScaleReport(
    string Benchmark, DateTimeOffset StartedAt, MachineInfo Machine, string Model, int Worlds, double CreateSeconds, long StateBytes, int FrameBytes,
    long ManagedBytesBefore, long ManagedBytesAfter, long ProcessBytesBefore, long ProcessBytesAfter,
    double ManagedBytesPerWorld, double ProcessBytesPerWorld, double ManagedPerStateBytes, double ProcessPerStateBytes,
    int ColdSample, double ColdActivationP50Ms, double ColdActivationP99Ms, double WarmCallP50Ms);
