using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Reads the cells a frame shows, independently of any learned model: each 4×4 tile is matched to the nearest of the
/// reference world's tiles (every cell sprite, with and without each avatar drawn over it). Two frames show the same world
/// when every tile reads the same.
/// </summary>
internal static class CellReader
{
    private const int Tile = ReferenceGeometry.TilePixels;
    private const int Side = ReferenceGeometry.RoomSize;
    private const int Frame = ReferenceGeometry.FramePixels;
    private const int TileValues = 3 * Tile * Tile;

    private static readonly byte[][] Tiles = BuildTiles();

    /// <summary>The tile class (cell type × 5 + avatar id) of every cell of frame <paramref name="index"/> in <paramref name="frames"/> (uint8 CHW, 64×64).</summary>
    public static int[] Read(byte[] frames, int index)
    {
        var classes = new int[Side * Side];
        var offset = index * 3 * Frame * Frame;
        Span<int> pixels = stackalloc int[TileValues];
        for (var r = 0; r < Side; r++)
        {
            for (var c = 0; c < Side; c++)
            {
                for (var ch = 0; ch < 3; ch++)
                {
                    for (var y = 0; y < Tile; y++)
                    {
                        for (var x = 0; x < Tile; x++)
                        {
                            pixels[(((ch * Tile) + y) * Tile) + x] = frames[offset + (ch * Frame * Frame) + ((((r * Tile) + y) * Frame) + (c * Tile) + x)];
                        }
                    }
                }
                classes[(r * Side) + c] = Nearest(pixels);
            }
        }
        return classes;
    }

    private static int Nearest(ReadOnlySpan<int> pixels)
    {
        var best = 0;
        var bestDistance = long.MaxValue;
        for (var t = 0; t < Tiles.Length; t++)
        {
            long distance = 0;
            for (var i = 0; i < TileValues; i++)
            {
                var d = pixels[i] - Tiles[t][i];
                distance += d * d;
            }
            if (distance < bestDistance)
            {
                (best, bestDistance) = (t, distance);
            }
        }
        return best;
    }

    private static byte[][] BuildTiles()
    {
        var cells = ReferenceSprites.CellAtlas();
        var players = ReferenceSprites.PlayerAtlas();
        var mask = ReferenceSprites.PlayerMask();
        var tiles = new byte[ReferenceSprites.CellTypeCount * (ReferenceGeometry.MaxPlayers + 1)][];
        for (var cell = 0; cell < ReferenceSprites.CellTypeCount; cell++)
        {
            for (var avatar = 0; avatar <= ReferenceGeometry.MaxPlayers; avatar++)
            {
                var tile = new byte[TileValues];
                for (var ch = 0; ch < 3; ch++)
                {
                    for (var p = 0; p < Tile * Tile; p++)
                    {
                        var covered = mask[(avatar * Tile * Tile) + p];
                        tile[(ch * Tile * Tile) + p] = covered ? players[(((avatar * 3) + ch) * Tile * Tile) + p] : cells[(((cell * 3) + ch) * Tile * Tile) + p];
                    }
                }
                tiles[(cell * (ReferenceGeometry.MaxPlayers + 1)) + avatar] = tile;
            }
        }
        return tiles;
    }
}
