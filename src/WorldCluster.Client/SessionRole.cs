namespace WorldCluster.Client;

/// <summary>How a session takes part in a world.</summary>
public enum SessionRole
{
    /// <summary>Watches every frame; cannot act.</summary>
    Spectator,

    /// <summary>Holds a player slot: sees every frame and acts; a real-time world ticks while a player is present.</summary>
    Player,
}
