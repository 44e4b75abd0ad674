using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Packages;

/// <summary>What a silo loaded at start: the models it serves and the packages that failed.</summary>
public sealed record ModelLoadReport(IReadOnlyList<IWorldModel> Models, IReadOnlyList<ModelLoadFailure> Failures);
