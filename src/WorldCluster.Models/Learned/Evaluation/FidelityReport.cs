namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>Open-loop fidelity after <paramref name="Steps"/> steps: PSNR over all rollouts' frames and the share exactly right.</summary>
public sealed record HorizonFidelity(int Steps, int Rollouts, double Psnr, double ExactShare);

/// <summary>Revisit consistency with memory on or off: the frame on coming back to a room left at least 100 ticks before.</summary>
public sealed record RevisitFidelity(bool Memory, int Rollouts, double MeanTicksAway, double Psnr, double ExactShare);

/// <summary>What <c>worldcluster eval</c> measured.</summary>
public sealed record FidelityReport(long Seed, IReadOnlyList<HorizonFidelity> Horizons, IReadOnlyList<RevisitFidelity> Revisits, TimeSpan Elapsed);
