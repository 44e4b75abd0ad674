namespace WorldCluster.Abstractions;

/// <summary>Asks a world to move to another silo at its next tick boundary.</summary>
/// <param name="Silo">The target silo as <see cref="WorldInfo.Silo"/> shows it; null lets placement choose among the other silos serving the model.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.MigrateRequest")]
public sealed record MigrateRequest([property: Id(0)] string? Silo);
