namespace WorldCluster.Models.Reference;

/// <summary>The 4×4 pixel sprites the reference world is drawn with: one per cell type, one per player slot.</summary>
public static class ReferenceSprites
{
    private const int Pixels = ReferenceGeometry.TilePixels * ReferenceGeometry.TilePixels;

    private static readonly Rgb FloorColour = new(34, 36, 46);

    private static readonly Rgb[] Players =
    [
        new(235, 64, 52),   // slot 0: red
        new(66, 133, 244),  // slot 1: blue
        new(250, 204, 21),  // slot 2: yellow
        new(206, 84, 222),  // slot 3: magenta
    ];

    // One string per sprite row; each character picks a colour from the sprite's legend ('.' is floor, or transparent
    // for players). Patterns stay readable at 4×4: a brick wall, a door with a knob, an open door frame, an outlined
    // crate and a diamond-shaped gem.
    private static readonly (CellType Type, string Pattern, Dictionary<char, Rgb> Legend)[] Cells =
    [
        (CellType.Floor, "...." + "...." + "...." + "....", []),
        (CellType.Wall, "bbbm" + "bbbm" + "mmmm" + "bmbb", new() { ['b'] = new(132, 132, 146), ['m'] = new(86, 86, 100) }),
        (CellType.ClosedDoor, "dddd" + "ddkd" + "dddd" + "dddd", new() { ['d'] = new(150, 58, 40), ['k'] = new(250, 220, 90) }),
        (CellType.OpenDoor, "d..d" + "d..d" + "d..d" + "d..d", new() { ['d'] = new(150, 58, 40) }),
        (CellType.Crate, "oooo" + "oiio" + "oiio" + "oooo", new() { ['o'] = new(222, 170, 92), ['i'] = new(112, 70, 30) }),
        (CellType.Gem, ".gg." + "ghgg" + ".gg." + "....", new() { ['g'] = new(40, 210, 220), ['h'] = new(210, 255, 255) }),
    ];

    private const string PlayerPattern = ".pp." + "pppp" + "pppp" + "p..p";

    /// <summary>Number of cell types, each with a sprite.</summary>
    public static int CellTypeCount => Cells.Length;

    /// <summary>The colour of player <paramref name="slot"/>'s avatar.</summary>
    public static Rgb PlayerColour(int slot) => Players[slot];

    /// <summary>The colour of empty floor.</summary>
    public static Rgb Floor => FloorColour;

    /// <summary>Cell sprites as uint8 <c>[CellTypeCount, 3, 4, 4]</c>, indexed by <see cref="CellType"/>.</summary>
    internal static byte[] CellAtlas()
    {
        var atlas = new byte[Cells.Length * 3 * Pixels];
        foreach (var (type, pattern, legend) in Cells)
        {
            for (var p = 0; p < Pixels; p++)
            {
                var colour = pattern[p] == '.' ? FloorColour : legend[pattern[p]];
                Write(atlas, (int)type, p, colour);
            }
        }
        return atlas;
    }

    /// <summary>Player sprites as uint8 <c>[MaxPlayers + 1, 3, 4, 4]</c>; index 0 is "no player", index s + 1 is slot s.</summary>
    internal static byte[] PlayerAtlas()
    {
        var atlas = new byte[(ReferenceGeometry.MaxPlayers + 1) * 3 * Pixels];
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            for (var p = 0; p < Pixels; p++)
            {
                Write(atlas, slot + 1, p, PlayerPattern[p] == '.' ? default : Players[slot]);
            }
        }
        return atlas;
    }

    /// <summary>Where player sprites cover the cell beneath, <c>[MaxPlayers + 1, 4, 4]</c>; index 0 covers nothing.</summary>
    internal static bool[] PlayerMask()
    {
        var mask = new bool[(ReferenceGeometry.MaxPlayers + 1) * Pixels];
        for (var slot = 1; slot <= ReferenceGeometry.MaxPlayers; slot++)
        {
            for (var p = 0; p < Pixels; p++)
            {
                mask[slot * Pixels + p] = PlayerPattern[p] != '.';
            }
        }
        return mask;
    }

    private static void Write(byte[] atlas, int sprite, int pixel, Rgb colour)
    {
        var baseIndex = sprite * 3 * Pixels + pixel;
        atlas[baseIndex] = colour.R;
        atlas[baseIndex + Pixels] = colour.G;
        atlas[baseIndex + 2 * Pixels] = colour.B;
    }
}
