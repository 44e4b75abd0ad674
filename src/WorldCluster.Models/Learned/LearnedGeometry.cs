using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned;

/// <summary>The fixed sizes of the learned world model's latent: one categorical token pair per cell of the camera room.</summary>
public static class LearnedGeometry
{
    /// <summary>Cells per side of the view (one room of the reference world).</summary>
    public const int View = ReferenceGeometry.RoomSize;

    /// <summary>Cells per side of the window the dynamics works on: the view and a one-cell border from the neighbouring rooms.</summary>
    public const int Window = View + 2;

    /// <summary>Cell-type classes of a token (floor, wall, closed door, open door, crate, gem).</summary>
    public const int CellClasses = 6;

    /// <summary>Avatar classes of a token: 0 for nobody, slot + 1 for a player.</summary>
    public const int AvatarClasses = ReferenceGeometry.MaxPlayers + 1;

    /// <summary>Channels of a one-hot latent: cell classes then avatar classes.</summary>
    public const int LatentChannels = CellClasses + AvatarClasses;

    /// <summary>Previous latents the state keeps as context.</summary>
    public const int ContextLength = 2;

    /// <summary>Actions of a player slot.</summary>
    public const int Actions = 6;

    /// <summary>Input channels of the dynamics network: latent, context latents, the acting avatar's action, the spawn candidate.</summary>
    public const int DynamicsInputs = LatentChannels * (1 + ContextLength) + Actions + 1;

    /// <summary>Rooms per side of the world map the model composes from memory.</summary>
    public const int RoomsPerSide = ReferenceGeometry.RoomsPerSide;

    /// <summary>Rooms in the world; scene-memory keys are room numbers.</summary>
    public const int Rooms = ReferenceGeometry.RoomCount;

    /// <summary>Cells per side of the composed world map, with a one-cell wall ring around it.</summary>
    public const int Map = (RoomsPerSide * View) + 2;

    /// <summary>Pixels per cell side in a frame.</summary>
    public const int Tile = ReferenceGeometry.TilePixels;

    /// <summary>The wall cell class; unknown places are drawn as walls.</summary>
    public const byte Wall = (byte)CellType.Wall;

    /// <summary>The gem cell class.</summary>
    public const byte Gem = (byte)CellType.Gem;
}
