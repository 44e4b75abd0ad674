using WorldCluster.Models.Torch;
using static TorchSharp.torch;
using static WorldCluster.Models.Torch.Scalars;

namespace WorldCluster.Models.Learned;

/// <summary>
/// The world as the learned model knows it: the four rooms from scene memory and the view, laid out as a
/// <c>[B, 34, 34]</c> cell map with a wall ring; rooms it has no memory of read as walls. Every op works within a world's row.
/// </summary>
internal static class WorldMap
{
    private const int View = LearnedGeometry.View;
    private const int Side = LearnedGeometry.RoomsPerSide;

    /// <summary>The map and which rooms are known (<c>[B, 4]</c> bool) from memory keys <c>[B, M]</c>, entries <c>[B, M, 16, 16]</c>, the camera room <c>[B]</c> and the view's cells.</summary>
    public static (Tensor Map, Tensor Known) Compose(Tensor keys, Tensor entries, Tensor room, Tensor cells)
    {
        var batch = cells.shape[0];
        var device = cells.device;
        var rooms = full([batch, LearnedGeometry.Rooms, View, View], Of(LearnedGeometry.Wall), ScalarType.Byte, device);
        var known = zeros([batch, LearnedGeometry.Rooms], ScalarType.Bool, device);
        var ids = TensorOps.Range(LearnedGeometry.Rooms, device).view(1, LearnedGeometry.Rooms);
        for (var m = 0; m < keys.shape[1]; m++)
        {
            var hit = keys.narrow(1, m, 1).eq(ids); // [B, 4]
            rooms = where(hit.view(batch, LearnedGeometry.Rooms, 1, 1), entries.narrow(1, m, 1).to(ScalarType.Byte), rooms);
            known = known.logical_or(hit);
        }
        var here = room.view(batch, 1).eq(ids);
        rooms = where(here.view(batch, LearnedGeometry.Rooms, 1, 1), cells.unsqueeze(1), rooms);
        known = known.logical_or(here);
        return (FromRooms(rooms), known);
    }

    /// <summary>The rooms <c>[B, 4, 16, 16]</c> of a map.</summary>
    public static Tensor Rooms(Tensor map)
    {
        var batch = map.shape[0];
        return map.narrow(1, 1, Side * View).narrow(2, 1, Side * View)
            .reshape(batch, Side, View, Side, View).permute(0, 1, 3, 2, 4).reshape(batch, LearnedGeometry.Rooms, View, View);
    }

    /// <summary>A map from its rooms <c>[B, 4, 16, 16]</c>.</summary>
    public static Tensor FromRooms(Tensor rooms)
    {
        var batch = rooms.shape[0];
        var grid = rooms.view(batch, Side, Side, View, View).permute(0, 1, 3, 2, 4).reshape(batch, Side * View, Side * View);
        return nn.functional.pad(grid, [1, 1, 1, 1], value: LearnedGeometry.Wall);
    }

    /// <summary>One room per world: <c>rooms[b, room[b]]</c> as <c>[B, 16, 16]</c>.</summary>
    public static Tensor Room(Tensor rooms, Tensor room)
    {
        var batch = rooms.shape[0];
        return rooms.gather(1, room.view(batch, 1, 1, 1).expand(batch, 1, View, View)).squeeze(1);
    }

    /// <summary>Replaces room <c>room[b]</c> of each world where <paramref name="apply"/> holds.</summary>
    public static Tensor WithRoom(Tensor rooms, Tensor room, Tensor value, Tensor apply)
    {
        var batch = rooms.shape[0];
        var ids = TensorOps.Range(LearnedGeometry.Rooms, rooms.device).view(1, LearnedGeometry.Rooms);
        var hit = room.view(batch, 1).eq(ids).logical_and(apply.view(batch, 1));
        return where(hit.view(batch, LearnedGeometry.Rooms, 1, 1), value.unsqueeze(1), rooms);
    }

    /// <summary>The 18×18 window around room <c>room[b]</c>: the room and a one-cell border.</summary>
    public static Tensor Window(Tensor map, Tensor room)
    {
        var (rows, cols) = WindowIndex(map, room);
        return map.gather(1, rows.unsqueeze(2).expand(-1, -1, map.shape[2])).gather(2, cols.unsqueeze(1).expand(-1, LearnedGeometry.Window, -1));
    }

    /// <summary>The map with the window around room <c>room[b]</c> replaced by <paramref name="window"/>.</summary>
    public static Tensor WithWindow(Tensor map, Tensor room, Tensor window)
    {
        var (rows, cols) = WindowIndex(map, room);
        var rowIndex = rows.unsqueeze(2).expand(-1, -1, map.shape[2]);
        var band = map.gather(1, rowIndex).scatter(2, cols.unsqueeze(1).expand(-1, LearnedGeometry.Window, -1), window);
        return map.scatter(1, rowIndex, band);
    }

    private static (Tensor Rows, Tensor Cols) WindowIndex(Tensor map, Tensor room)
    {
        var offsets = TensorOps.Range(LearnedGeometry.Window, map.device).view(1, -1);
        var top = room.floor_divide(Of(Side)).Times(View).view(-1, 1);
        var left = room.remainder(Of(Side)).Times(View).view(-1, 1);
        return (top.Plus(offsets), left.Plus(offsets));
    }
}
