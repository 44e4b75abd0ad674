using TorchSharp;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Reference;

/// <summary>
/// Draws the room player slot 0 stands in, for a batch of worlds, as uint8 <c>[B, 3, 64, 64]</c> frames: cell sprites
/// looked up by cell type, then the avatars of the active players in that room drawn over their cells.
/// </summary>
internal static class ReferenceRenderer
{
    private const int N = ReferenceGeometry.GridSize;
    private const int Room = ReferenceGeometry.RoomSize;
    private const int Tile = ReferenceGeometry.TilePixels;

    private static readonly byte[] CellAtlas = ReferenceSprites.CellAtlas();
    private static readonly byte[] PlayerAtlas = ReferenceSprites.PlayerAtlas();
    private static readonly bool[] PlayerMask = ReferenceSprites.PlayerMask();

    private static readonly Scalar Zero = 0L.ToScalar();
    private static readonly Scalar RoomScalar = ((long)Room).ToScalar();
    private static readonly Scalar[] AvatarIds = [.. Enumerable.Range(1, ReferenceGeometry.MaxPlayers).Select(id => ((long)id).ToScalar())];
    private static readonly Scalar LastCellType = ((long)ReferenceSprites.CellTypeCount - 1).ToScalar();

    /// <summary>The frames for a batch: cells uint8 <c>[B, 32, 32]</c>, players int64 <c>[B, 4, 2]</c>, active uint8 <c>[B, 4]</c>.</summary>
    public static Tensor Render(Tensor cells, Tensor players, Tensor active)
    {
        var device = cells.device;
        var batch = cells.shape[0];
        var cellAtlas = tensor(CellAtlas, [ReferenceSprites.CellTypeCount, 3, Tile, Tile], device: device);
        var playerAtlas = tensor(PlayerAtlas, [ReferenceGeometry.MaxPlayers + 1, 3, Tile, Tile], device: device);
        var playerMask = tensor(PlayerMask, [ReferenceGeometry.MaxPlayers + 1, Tile, Tile], device: device);

        // The camera room's top-left cell: slot 0's position rounded down to a multiple of the room size.
        var room = players.select(1, 0).floor_divide(RoomScalar);
        var origin = room.Times(Room);
        var offsets = TensorOps.Range(Room, device);
        var rows = origin.select(1, 0).unsqueeze(1).Plus(offsets).unsqueeze(2).expand(batch, Room, N);
        var cols = origin.select(1, 1).unsqueeze(1).Plus(offsets).unsqueeze(1).expand(batch, Room, Room);
        var view = cells.gather(1, rows).gather(2, cols);

        // Avatar map of the room: 0 for nobody, slot + 1 where an active player stands. Slots go one at a time so no
        // scatter ever writes one cell twice.
        var avatars = zeros([batch, Room * Room], ScalarType.Int64, device);
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            var at = players.select(1, slot);
            var shown = active.select(1, slot).ne(Zero).logical_and(at.floor_divide(RoomScalar).eq(room).all(1)).unsqueeze(1);
            var local = at.remainder(RoomScalar);
            var index = local.select(1, 0).Times(Room).Plus(local.select(1, 1)).unsqueeze(1);
            avatars.scatter_(1, index, avatars.gather(1, index).masked_fill(shown, AvatarIds[slot]));
        }

        var cellPixels = Tiles(cellAtlas.index_select(0, view.reshape(-1).to(ScalarType.Int64).clamp(Zero, LastCellType)), batch, 3);
        var avatarPixels = Tiles(playerAtlas.index_select(0, avatars.reshape(-1)), batch, 3);
        var covered = Tiles(playerMask.index_select(0, avatars.reshape(-1)).unsqueeze(1), batch, 1);
        return where(covered, avatarPixels, cellPixels);
    }

    /// <summary>Lays out per-cell sprites <c>[B * 256, C, 4, 4]</c> as images <c>[B, C, 64, 64]</c>.</summary>
    private static Tensor Tiles(Tensor sprites, long batch, int channels) =>
        sprites.reshape(batch, Room, Room, channels, Tile, Tile)
            .permute(0, 3, 1, 4, 2, 5)
            .reshape(batch, channels, Room * Tile, Room * Tile);
}
