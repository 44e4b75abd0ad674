using WorldCluster.Models.Contract;
using WorldCluster.Models.Learned.Training;
using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Measures the learned model with several players in the camera's room: every world starts 2 or 4 players in one room
/// (as the generator does), each slot moves at random without leaving the room or touching doors, so all players stay
/// in slot 0's view; frames are compared with the reference world's after 1, 16 and 32 steps.
/// </summary>
public static class MultiPlayerEvaluator
{
    /// <summary>Horizons compared.</summary>
    public static readonly int[] Horizons = [1, 16, 32];

    /// <summary>Player counts measured.</summary>
    public static readonly int[] PlayerCounts = [2, 4];

    private const int P = ReferenceGeometry.MaxPlayers;
    private const int Side = ReferenceGeometry.RoomSize;
    private const int AvatarIds = P + 1;

    /// <summary>Runs <paramref name="rollouts"/> worlds per player count from seeds after <paramref name="seed"/>.</summary>
    public static IReadOnlyList<MultiPlayerFidelity> Evaluate(LearnedWorld model, long seed, int rollouts, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(rollouts, 2);
        var results = new List<MultiPlayerFidelity>();
        foreach (var players in PlayerCounts)
        {
            results.AddRange(Run(model, seed, rollouts, players));
            progress?.Report($"multi-player: {players} players in one room");
        }
        return results;
    }

    private static List<MultiPlayerFidelity> Run(LearnedWorld model, long seed, int rollouts, int players)
    {
        var seeds = Enumerable.Range(0, rollouts).Select(i => new WorldSeed(seed + i, players)).ToList();
        using var reference = new ReferenceBatch(seeds);
        var random = new Random(unchecked((int)seed) + players);
        using var memory = new RoomMemory(rollouts, enabled: true);
        var state = FidelityEvaluator.Start(model, seeds, memory);
        var actions = new long[rollouts * P];
        var results = new List<MultiPlayerFidelity>();
        for (var step = 1; step <= Horizons[^1]; step++)
        {
            for (var w = 0; w < rollouts; w++)
            {
                for (var slot = 0; slot < players; slot++)
                {
                    // A no-op in a fifth of the ticks, else a random move that stays in the room.
                    var action = random.Next(0, 5);
                    actions[(w * P) + slot] = action == 0 ? 0 : reference.StayIn(w, slot, action);
                }
            }
            reference.Step(actions);
            var (next, frames) = FidelityEvaluator.Advance(model, state, actions, memory);
            FidelityEvaluator.DisposeAll(state);
            state = next;
            if (Horizons.Contains(step))
            {
                var worlds = Enumerable.Range(0, rollouts).ToArray();
                var (psnr, exact) = FidelityEvaluator.Score(frames, reference.Frames, worlds);
                var (avatarsWrong, cellsWrong) = Faults(frames, reference.Frames, rollouts);
                results.Add(new MultiPlayerFidelity(players, step, rollouts, psnr, exact, avatarsWrong, cellsWrong));
            }
        }
        FidelityEvaluator.DisposeAll(state);
        return results;
    }

    // Shares of worlds whose frame shows some avatar wrong (missing, moved, wrong slot) and whose frame shows some cell
    // type wrong, read tile by tile (a tile's class is cell type × 5 + avatar id).
    private static (double Avatars, double Cells) Faults(byte[] predicted, byte[] truth, int worlds)
    {
        int avatars = 0, cells = 0;
        for (var w = 0; w < worlds; w++)
        {
            var (p, t) = (CellReader.Read(predicted, w), CellReader.Read(truth, w));
            avatars += Enumerable.Range(0, Side * Side).Any(i => p[i] % AvatarIds != t[i] % AvatarIds) ? 1 : 0;
            cells += Enumerable.Range(0, Side * Side).Any(i => p[i] / AvatarIds != t[i] / AvatarIds) ? 1 : 0;
        }
        return ((double)avatars / worlds, (double)cells / worlds);
    }
}
