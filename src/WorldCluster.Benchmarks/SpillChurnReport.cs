namespace WorldCluster.Benchmarks;

/// <summary>What <c>worldcluster-bench scale --resident-budget</c> measured: many stored worlds stepped at random under a resident state budget.</summary>
/// <param name="Benchmark">Always <c>scale-spill</c>.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Model">The model's id (<c>name@version</c>).</param>
/// <param name="Worlds">Worlds created (twin pairs: equal seeds, equal actions per tick).</param>
/// <param name="BudgetWorlds">The silo's resident state budget, in world states.</param>
/// <param name="StateBytes">Device bytes of one world's resident state.</param>
/// <param name="BudgetBytes">The budget in bytes (<c>BudgetWorlds × StateBytes</c>).</param>
/// <param name="CreateSeconds">Seconds to create (and store) every world.</param>
/// <param name="CreateRefusals">Creations answered "budget full, retry" and retried after the silo's Retry-After.</param>
/// <param name="Concurrency">Clients stepping worlds at once during the churn.</param>
/// <param name="ChurnSeconds">Length of the churn.</param>
/// <param name="ChurnSteps">Steps the churn completed.</param>
/// <param name="StepsPerSecond">Churn steps per second.</param>
/// <param name="StepP50Ms">Churn step latency, median.</param>
/// <param name="StepP99Ms">Churn step latency, 99th percentile.</param>
/// <param name="Spills">States the batcher moved off the device during the run.</param>
/// <param name="Resumes">Spilled states a step took back onto the device (from host memory).</param>
/// <param name="ResumeMeanMs">Server-side mean time of those resumes (step arrival to result).</param>
/// <param name="ColdSample">Least recently stepped worlds stepped one at a time after the churn.</param>
/// <param name="ColdStepP50Ms">First step of such a world (its state spilled, to host memory or to storage), median.</param>
/// <param name="ColdStepP99Ms">The same, 99th percentile.</param>
/// <param name="WarmStepP50Ms">The next step of the same world (resident again), median.</param>
/// <param name="MaxUsedBytes">Most resident state bytes the budget counted at any sample (never above <c>BudgetBytes</c>).</param>
/// <param name="ResidentBytesPerState">Device bytes the batcher holds per resident world ÷ <c>StateBytes</c>, at the end of the churn.</param>
/// <param name="MaxProcessBytes">Most process resident memory at any sample.</param>
/// <param name="PairsChecked">Twin pairs brought to the same tick and compared.</param>
/// <param name="DigestMismatches">Twins whose digests differ at the same tick (0 when every spill and resume is exact).</param>
/// <param name="RestartChecked">Worlds read back after restarting the silo on the same data.</param>
/// <param name="RestartMismatches">Of those, worlds whose tick or digest differ from the last step's answer (0: nothing lost).</param>
/// <param name="Profile">Where the churn's time went, from the silo's metrics.</param>
public sealed record SpillChurnReport(
    string Benchmark, DateTimeOffset StartedAt, MachineInfo Machine, string Model, int Worlds, int BudgetWorlds, long StateBytes, long BudgetBytes,
    double CreateSeconds, long CreateRefusals, int Concurrency, double ChurnSeconds, long ChurnSteps, double StepsPerSecond, double StepP50Ms, double StepP99Ms,
    long Spills, long Resumes, double ResumeMeanMs, int ColdSample, double ColdStepP50Ms, double ColdStepP99Ms, double WarmStepP50Ms,
    long MaxUsedBytes, double ResidentBytesPerState, long MaxProcessBytes, int PairsChecked, int DigestMismatches, int RestartChecked, int RestartMismatches,
    SpillChurnProfile Profile);
