namespace WorldCluster.Abstractions;

/// <summary>How someone takes part in a world.</summary>
[GenerateSerializer]
public enum ParticipantRole
{
    /// <summary>Watches only.</summary>
    Spectator = 0,
    /// <summary>Holds a player slot and acts.</summary>
    Player = 1,
}
