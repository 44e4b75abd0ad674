using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Reference;

/// <summary>Builds a reference world from its seed: doors, crates, gems and player starts, the same on every machine.</summary>
public static class ReferenceWorldGenerator
{
    /// <summary>Crates placed in each room.</summary>
    public const int CratesPerRoom = 3;

    /// <summary>Gems placed in each room.</summary>
    public const int GemsPerRoom = 3;

    /// <summary>Doorways (pairs of door cells, one in each room's wall) that start closed, out of four.</summary>
    public const int ClosedDoorways = 2;

    /// <summary>The world for <paramref name="seed"/>; equal seeds give bit-identical states.</summary>
    public static ReferenceWorldState Generate(WorldSeed seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seed.Players, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seed.Players, ReferenceGeometry.MaxPlayers);

        var random = new SplitMix64(unchecked((ulong)seed.Seed));
        var state = ReferenceWorldState.EmptyRooms();
        const int Room = ReferenceGeometry.RoomSize;

        // One doorway joins each pair of neighbouring rooms; the rooms have separate wall rings, so a doorway is two
        // door cells side by side, one in each ring. Offsets 2..13 keep doorways off the rooms' corners.
        var doorways = new (GridPosition A, GridPosition B)[4];
        for (var i = 0; i < ReferenceGeometry.RoomsPerSide; i++)
        {
            var row = i * Room + 2 + random.Below(Room - 4);
            doorways[i] = (new GridPosition(row, Room - 1), new GridPosition(row, Room));
        }
        for (var i = 0; i < ReferenceGeometry.RoomsPerSide; i++)
        {
            var col = i * Room + 2 + random.Below(Room - 4);
            doorways[ReferenceGeometry.RoomsPerSide + i] = (new GridPosition(Room - 1, col), new GridPosition(Room, col));
        }
        var closed = new bool[doorways.Length];
        for (var placed = 0; placed < ClosedDoorways;)
        {
            var pick = random.Below(doorways.Length);
            if (!closed[pick])
            {
                closed[pick] = true;
                placed++;
            }
        }
        for (var i = 0; i < doorways.Length; i++)
        {
            var door = closed[i] ? CellType.ClosedDoor : CellType.OpenDoor;
            state[doorways[i].A] = door;
            state[doorways[i].B] = door;
        }

        for (var room = 0; room < ReferenceGeometry.RoomCount; room++)
        {
            // Crates keep one cell away from the walls so none starts stuck against one or in front of a doorway.
            for (var n = 0; n < CratesPerRoom; n++)
            {
                state[FreeCell(state, ref random, room, margin: 2)] = CellType.Crate;
            }
            for (var n = 0; n < GemsPerRoom; n++)
            {
                state[FreeCell(state, ref random, room, margin: 1)] = CellType.Gem;
            }
        }

        // Everybody starts in one room so the players meet (and slot 0's camera shows them).
        var startRoom = random.Below(ReferenceGeometry.RoomCount);
        for (var slot = 0; slot < seed.Players; slot++)
        {
            GridPosition start;
            do
            {
                start = FreeCell(state, ref random, startRoom, margin: 1);
            }
            while (state.PlayerAt(start) >= 0);
            state.PlacePlayer(slot, start);
        }

        state.Rng = (long)(random.Next() & 0x7fffffff);
        return state;
    }

    private static GridPosition FreeCell(ReferenceWorldState state, ref SplitMix64 random, int room, int margin)
    {
        var top = room / ReferenceGeometry.RoomsPerSide * ReferenceGeometry.RoomSize;
        var left = room % ReferenceGeometry.RoomsPerSide * ReferenceGeometry.RoomSize;
        var span = ReferenceGeometry.RoomSize - 2 * margin;
        while (true)
        {
            var cell = new GridPosition(top + margin + random.Below(span), left + margin + random.Below(span));
            if (state[cell] == CellType.Floor)
            {
                return cell;
            }
        }
    }
}
