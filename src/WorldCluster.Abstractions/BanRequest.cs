namespace WorldCluster.Abstractions;

/// <summary>Removes a participant and bans it, and the invite it joined with, until <paramref name="Until"/>.</summary>
/// <param name="Participant">The participant to remove and ban.</param>
/// <param name="Until">When every token the ban covers has expired anyway; the ban is dropped after that.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.BanRequest")]
public sealed record BanRequest(
    [property: Id(0)] Guid Participant,
    [property: Id(1)] DateTimeOffset Until);
