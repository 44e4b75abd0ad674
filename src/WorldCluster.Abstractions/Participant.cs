namespace WorldCluster.Abstractions;

/// <summary>Someone in a world (session ids are not shown: they are the session's credential).</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.Participant")]
public sealed record Participant(
    [property: Id(0)] ParticipantRole Role,
    [property: Id(1)] int? Slot,
    [property: Id(2)] string? Name);
