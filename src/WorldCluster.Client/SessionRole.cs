namespace WorldCluster.Client;

/// <summary>How a session takes part in a world (the numbers match the server's).</summary>
public enum SessionRole
{
    /// <summary>Watches every frame; cannot act.</summary>
    Spectator = 0,

    /// <summary>Holds a player slot: sees every frame and acts; a real-time world ticks while a player is present.</summary>
    Player = 1,
}
