namespace WorldCluster.Abstractions;

/// <summary>A joined session: its id (needed to act and leave), role and player slot.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.SessionTicket")]
public sealed record SessionTicket(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string WorldId,
    [property: Id(2)] ParticipantRole Role,
    [property: Id(3)] int? Slot);
