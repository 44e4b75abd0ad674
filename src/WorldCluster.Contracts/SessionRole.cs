namespace WorldCluster.Contracts;

/// <summary>How someone takes part in a world (the numbers are the ones the participants list sends).</summary>
public enum SessionRole
{
    /// <summary>Watches every frame; cannot act.</summary>
    Spectator = 0,

    /// <summary>Holds a player slot: sees every frame and acts; a real-time world ticks while a player is present.</summary>
    Player = 1,
}
