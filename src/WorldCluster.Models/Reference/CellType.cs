namespace WorldCluster.Models.Reference;

/// <summary>What one cell of the reference world holds (the values stored in the <c>cells</c> state tensor).</summary>
public enum CellType : byte
{
    /// <summary>Empty floor: players walk on it, crates are pushed onto it, gems respawn on it.</summary>
    Floor = 0,
    /// <summary>A wall: blocks players and crates.</summary>
    Wall = 1,
    /// <summary>A closed door: blocks like a wall until a player next to it interacts.</summary>
    ClosedDoor = 2,
    /// <summary>An open door: players walk through it; crates cannot be pushed onto it.</summary>
    OpenDoor = 3,
    /// <summary>A crate: a player moving into it pushes it one cell if the cell beyond is free floor.</summary>
    Crate = 4,
    /// <summary>A gem: a player stepping on it collects it (score + 1) and the cell becomes floor.</summary>
    Gem = 5,
}
