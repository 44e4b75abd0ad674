namespace WorldCluster.Silo.Auth;

/// <summary>What a request needs of its caller.</summary>
public enum WorldRight
{
    /// <summary>Everything: create, delete, fork any world, invite.</summary>
    Admin,

    /// <summary>Read the route's world: info, frame, participants, a spectator session.</summary>
    Watch,

    /// <summary>Act in the route's world: step, a player session.</summary>
    Play,
}
