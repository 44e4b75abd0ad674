using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Packages;

/// <summary>What a silo loaded at start: the models it serves and the packages that failed.</summary>
public sealed record ModelLoadReport(IReadOnlyList<IWorldModel> Models, IReadOnlyList<ModelLoadFailure> Failures)
{
    /// <summary>How long each served model's warm-up took, by <c>name@version</c> (<see cref="ModelProbe.WarmUp"/>).</summary>
    public IReadOnlyDictionary<string, TimeSpan> WarmUps { get; init; } = new Dictionary<string, TimeSpan>();
}
