namespace WorldCluster.Models.Reference;

/// <summary>The fixed sizes of the reference world: grid, rooms, players and frame.</summary>
public static class ReferenceGeometry
{
    /// <summary>Cells per side of the whole world.</summary>
    public const int GridSize = 32;

    /// <summary>Cells per side of one room (the rooms tile the grid, each with its own wall ring).</summary>
    public const int RoomSize = 16;

    /// <summary>Rooms per side of the grid.</summary>
    public const int RoomsPerSide = GridSize / RoomSize;

    /// <summary>Rooms in the world.</summary>
    public const int RoomCount = RoomsPerSide * RoomsPerSide;

    /// <summary>Player slots per world.</summary>
    public const int MaxPlayers = 4;

    /// <summary>Pixels per side of one cell's sprite.</summary>
    public const int TilePixels = 4;

    /// <summary>Pixels per side of a frame (one room).</summary>
    public const int FramePixels = RoomSize * TilePixels;

    /// <summary>The per-tick gem respawn only adds gems while the world holds fewer than this many.</summary>
    public const int GemCap = 24;

    /// <summary>The room holding a cell: <c>roomRow * RoomsPerSide + roomCol</c>.</summary>
    public static int RoomOf(int row, int col) => row / RoomSize * RoomsPerSide + col / RoomSize;
}
