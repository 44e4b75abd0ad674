namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>Open-loop fidelity after <paramref name="Steps"/> steps: PSNR over all rollouts' frames and the share exactly right.</summary>
public sealed record HorizonFidelity(int Steps, int Rollouts, double Psnr, double ExactShare);

/// <summary>Revisit consistency with memory on or off: the frame on coming back to a room left at least 100 ticks before.</summary>
public sealed record RevisitFidelity(bool Memory, int Rollouts, double MeanTicksAway, double Psnr, double ExactShare, RevisitDepartures Wrong);

/// <summary>
/// The revisits that came back wrong, by where the model's own view (room, cells, avatars) first departed from the
/// reference's: on the way out, in the other room, on the way back, or nowhere (only the drawn frame was wrong).
/// </summary>
public sealed record RevisitDepartures(int Leaving, int Away, int Returning, int FrameOnly);

/// <summary>What <c>worldcluster eval</c> measured.</summary>
public sealed record FidelityReport(long Seed, IReadOnlyList<HorizonFidelity> Horizons, IReadOnlyList<RevisitFidelity> Revisits, IReadOnlyList<MultiPlayerFidelity> MultiPlayer, TimeSpan Elapsed);

/// <summary>
/// <paramref name="Players"/> players in slot 0's room after <paramref name="Steps"/> steps: PSNR, the share exactly right,
/// and the shares with some avatar wrong and with some cell type wrong.
/// </summary>
public sealed record MultiPlayerFidelity(int Players, int Steps, int Rollouts, double Psnr, double ExactShare, double AvatarsWrong, double CellsWrong);
