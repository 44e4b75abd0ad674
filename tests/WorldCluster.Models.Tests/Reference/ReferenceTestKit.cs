using System.Security.Cryptography;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>Shared steps for the reference world tests: stepping host states, reading frames, quiet RNG states.</summary>
internal static class ReferenceTestKit
{
    public static ModelManifest Manifest => ReferenceWorld.ReferenceManifest;

    public static IReadOnlyList<StateTensorSpec> Specs => Manifest.State;

    /// <summary>One tick of one world (a batch of one); actions list slot 0 first, missing slots are no-ops.</summary>
    public static (ReferenceWorldState State, byte[] Frame) Step(ReferenceWorld world, ReferenceWorldState state, params PlayerAction[] actions)
    {
        var (states, frames) = StepBatch(world, [state.ToWorldState()], [ActionRow(actions)]);
        return (ReferenceWorldState.From(states[0]), frames[0]);
    }

    /// <summary>One tick of a batch of worlds given as host states; returns the host states and frames.</summary>
    public static (WorldState[] States, byte[][] Frames) StepBatch(
        ReferenceWorld world, IReadOnlyList<WorldState> states, IReadOnlyList<long[]> actions, int? batchSize = null)
    {
        using var scope = NewDisposeScope();
        var size = batchSize ?? states.Count;
        var batch = WorldStateBatch.Stack(Specs, states, size);
        var rows = new long[size * ReferenceGeometry.MaxPlayers];
        for (var w = 0; w < actions.Count; w++)
        {
            actions[w].CopyTo(rows, w * ReferenceGeometry.MaxPlayers);
        }
        var output = world.Step(batch, tensor(rows, [size, ReferenceGeometry.MaxPlayers]));
        return (WorldStateBatch.Unstack(Specs, output.State, states.Count),
            WorldStateBatch.UnstackFrames(output.Frames, Manifest.Observation, states.Count));
    }

    /// <summary>Fresh worlds as host states and first frames.</summary>
    public static (WorldState[] States, byte[][] Frames) Init(ReferenceWorld world, params WorldSeed[] seeds)
    {
        using var scope = NewDisposeScope();
        var output = world.Init(seeds);
        return (WorldStateBatch.Unstack(Specs, output.State, seeds.Length),
            WorldStateBatch.UnstackFrames(output.Frames, Manifest.Observation, seeds.Length));
    }

    /// <summary>The frame of a host state, without stepping it.</summary>
    public static byte[] Render(ReferenceWorldState state)
    {
        using var scope = NewDisposeScope();
        var batch = WorldStateBatch.Stack(Specs, [state.ToWorldState()], 1);
        return WorldStateBatch.UnstackFrames(ReferenceWorld.Render(batch), Manifest.Observation, 1)[0];
    }

    public static long[] ActionRow(params PlayerAction[] actions)
    {
        var row = new long[ReferenceGeometry.MaxPlayers];
        for (var slot = 0; slot < actions.Length; slot++)
        {
            row[slot] = (long)actions[slot];
        }
        return row;
    }

    /// <summary>The documented RNG step, written independently of the model: <c>(x * 1103515245 + 12345) mod 2^31</c>.</summary>
    public static long Lcg(long x) => (x * 1103515245 + 12345) & 0x7fffffff;

    /// <summary>An RNG state under which no gem respawn is tried for the next <paramref name="ticks"/> ticks.</summary>
    public static long QuietRng(int ticks)
    {
        for (long candidate = 1; ; candidate++)
        {
            var x = candidate;
            var quiet = true;
            for (var t = 0; t < ticks && quiet; t++)
            {
                var first = Lcg(x);
                quiet = first >> 25 != 0;
                x = Lcg(first);
            }
            if (quiet)
            {
                return candidate;
            }
        }
    }

    /// <summary>Four empty rooms, no gems will spawn for a while, slot 0 at <paramref name="player0"/>.</summary>
    public static ReferenceWorldState QuietRooms(GridPosition player0)
    {
        var state = ReferenceWorldState.EmptyRooms();
        state.Rng = QuietRng(64);
        state.PlacePlayer(0, player0);
        return state;
    }

    /// <summary>The colour at pixel (<paramref name="x"/>, <paramref name="y"/>) of a <c>[3, 64, 64]</c> frame.</summary>
    public static Rgb Pixel(byte[] frame, int x, int y)
    {
        const int Plane = ReferenceGeometry.FramePixels * ReferenceGeometry.FramePixels;
        var i = y * ReferenceGeometry.FramePixels + x;
        return new Rgb(frame[i], frame[Plane + i], frame[2 * Plane + i]);
    }

    /// <summary>The 16 pixels of the cell at local room coordinates (<paramref name="localRow"/>, <paramref name="localCol"/>).</summary>
    public static Rgb[] CellPixels(byte[] frame, int localRow, int localCol)
    {
        var pixels = new List<Rgb>();
        for (var dy = 0; dy < ReferenceGeometry.TilePixels; dy++)
        {
            for (var dx = 0; dx < ReferenceGeometry.TilePixels; dx++)
            {
                pixels.Add(Pixel(frame, localCol * ReferenceGeometry.TilePixels + dx, localRow * ReferenceGeometry.TilePixels + dy));
            }
        }
        return [.. pixels];
    }

    /// <summary>Pixels of the frame with exactly this colour.</summary>
    public static int CountColour(byte[] frame, Rgb colour)
    {
        var count = 0;
        for (var y = 0; y < ReferenceGeometry.FramePixels; y++)
        {
            for (var x = 0; x < ReferenceGeometry.FramePixels; x++)
            {
                count += Pixel(frame, x, y) == colour ? 1 : 0;
            }
        }
        return count;
    }

    public static byte[] Hash(WorldState state)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        state.AppendTo(hash);
        return hash.GetHashAndReset();
    }
}
