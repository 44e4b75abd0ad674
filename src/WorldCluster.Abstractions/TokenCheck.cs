namespace WorldCluster.Abstractions;

/// <summary>What a world-scoped token stands for, checked by the world on every use (docs/security.md).</summary>
/// <param name="Participant">The participant a join token names; it must still be in the world.</param>
/// <param name="Invite">The invite the token is, or was minted from; it must not be banned.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.TokenCheck")]
public sealed record TokenCheck(
    [property: Id(0)] Guid? Participant,
    [property: Id(1)] string? Invite);
