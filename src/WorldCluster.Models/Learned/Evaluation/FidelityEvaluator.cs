using System.Diagnostics;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Learned.Training;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Measures the learned model against the reference world on held-out seeds: open-loop rollouts under the same random
/// actions (frames compared after 1, 8 and 32 steps), and revisits — leave a room, stay away at least 100 ticks,
/// come back — with scene memory on and off.
/// </summary>
public static class FidelityEvaluator
{
    /// <summary>Horizons compared in open-loop rollouts.</summary>
    public static readonly int[] Horizons = [1, 8, 32];

    /// <summary>Shortest time away from the room in a revisit.</summary>
    public const int MinTicksAway = 100;

    private const int FrameBytes = 3 * 64 * 64;
    private const int P = ReferenceGeometry.MaxPlayers;

    /// <summary>Runs the evaluation: <paramref name="rollouts"/> open-loop and <paramref name="revisits"/> revisit worlds from seeds after <paramref name="seed"/>, and <paramref name="multiPlayer"/> worlds per player count with players together (none below 2).</summary>
    public static FidelityReport Evaluate(LearnedWorld model, long seed, int rollouts, int revisits, IProgress<string>? progress = null, int multiPlayer = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(rollouts, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(revisits, 2);
        var clock = Stopwatch.StartNew();
        var horizons = OpenLoop(model, seed, rollouts, progress);
        progress?.Report("revisits: playing the reference world");
        var scripts = RevisitScripts(seed + rollouts, revisits);
        var revisit = new List<RevisitFidelity>();
        foreach (var memory in new[] { true, false })
        {
            progress?.Report($"revisits: replaying with memory {(memory ? "on" : "off")}");
            revisit.Add(Replay(model, scripts, memory));
        }
        // Seeds of their own, after those of the revisits (which may use up to 600 batches of seeds).
        var together = multiPlayer >= 2 ? MultiPlayerEvaluator.Evaluate(model, seed + 1_000_000, multiPlayer, progress) : [];
        return new FidelityReport(seed, horizons, revisit, together, clock.Elapsed);
    }

    private static List<HorizonFidelity> OpenLoop(LearnedWorld model, long seed, int rollouts, IProgress<string>? progress)
    {
        var seeds = Enumerable.Range(0, rollouts).Select(i => new WorldSeed(seed + i, 1)).ToList();
        using var reference = new ReferenceBatch(seeds);
        var random = new Random(unchecked((int)seed));
        using var memory = new RoomMemory(rollouts, enabled: true);
        var state = Start(model, seeds, memory);
        var actions = new long[rollouts * P];
        var results = new List<HorizonFidelity>();
        for (var step = 1; step <= Horizons[^1]; step++)
        {
            for (var w = 0; w < rollouts; w++)
            {
                actions[w * P] = random.Next(LearnedGeometry.Actions);
            }
            reference.Step(actions);
            var (next, frames) = Advance(model, state, actions, memory);
            DisposeAll(state);
            state = next;
            if (Horizons.Contains(step))
            {
                var (psnr, exact) = Score(frames, reference.Frames, [.. Enumerable.Range(0, rollouts)]);
                results.Add(new HorizonFidelity(step, rollouts, psnr, exact));
                progress?.Report($"open loop: {step} steps");
            }
        }
        DisposeAll(state);
        return results;
    }

    /// <summary>PSNR over <paramref name="worlds"/>' frames and the share whose cells all read the same.</summary>
    internal static (double Psnr, double Exact) Score(byte[] predicted, byte[] truth, int[] worlds)
    {
        double squared = 0;
        var exact = 0;
        foreach (var w in worlds)
        {
            for (var i = w * FrameBytes; i < (w + 1) * FrameBytes; i++)
            {
                var d = predicted[i] - truth[i];
                squared += d * d;
            }
            // Exactly right: every cell read from the predicted frame equals the one read from the reference's.
            exact += CellReader.Read(predicted, w).AsSpan().SequenceEqual(CellReader.Read(truth, w)) ? 1 : 0;
        }
        var mse = squared / ((double)worlds.Length * FrameBytes);
        // Every frame exactly right: no error to measure; report it as +∞ dB.
        var psnr = mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
        return (psnr, (double)exact / worlds.Length);
    }

    /// <summary>A revisit: the seed, player 0's actions, and the tick at which it is back in the room it left.</summary>
    private sealed record RevisitScript(WorldSeed Seed, long[] Actions, int ReturnTick, int TicksAway, byte[] Frame);

    private static List<RevisitScript> RevisitScripts(long seed, int count)
    {
        var scripts = new List<RevisitScript>();
        var random = new Random(unchecked((int)seed));
        var explorer = new ExplorerPolicy();
        var next = seed;
        while (scripts.Count < count)
        {
            var seeds = Enumerable.Range(0, count).Select(_ => new WorldSeed(next++, 1)).ToList();
            using var reference = new ReferenceBatch(seeds);
            var n = seeds.Count;
            var home = Enumerable.Range(0, n).Select(reference.CameraRoom).ToArray();
            var phase = new int[n]; // 0 leaving, 1 away, 2 returning, 3 back, -1 failed
            var leftAt = new int[n];
            var goals = Enumerable.Range(0, n).Select(w => NeighbourGoal(reference, w, home[w], random)).ToArray();
            var actions = new List<long>[n];
            for (var w = 0; w < n; w++)
            {
                actions[w] = [];
            }
            var step = new long[n * P];
            var backAt = new int[n];
            var frames = new byte[n][];
            for (var tick = 0; tick < 600 && phase.Any(p => p is 0 or 1 or 2); tick++)
            {
                for (var w = 0; w < n; w++)
                {
                    step[w * P] = phase[w] switch
                    {
                        0 => explorer.Towards(reference, w, goals[w]) ?? 0,
                        1 => reference.StayIn(w, 0, random.Next(1, 5)),
                        2 => explorer.Towards(reference, w, goals[w]) ?? 0,
                        _ => 0,
                    };
                    if (phase[w] is 0 or 1 or 2)
                    {
                        actions[w].Add(step[w * P]);
                    }
                }
                reference.Step(step);
                for (var w = 0; w < n; w++)
                {
                    var room = reference.CameraRoom(w);
                    switch (phase[w])
                    {
                        case 0 when room != home[w]:
                            (phase[w], leftAt[w]) = (1, tick);
                            break;
                        case 1 when tick - leftAt[w] >= MinTicksAway:
                            phase[w] = 2;
                            goals[w] = ExplorerPolicy.RandomGoal(reference, w, random, home[w]);
                            break;
                        case 2 when room == home[w]:
                            (phase[w], backAt[w]) = (3, actions[w].Count);
                            frames[w] = reference.Frames.AsSpan(w * FrameBytes, FrameBytes).ToArray();
                            break;
                    }
                }
            }
            for (var w = 0; w < n && scripts.Count < count; w++)
            {
                if (phase[w] == 3)
                {
                    scripts.Add(new RevisitScript(seeds[w], [.. actions[w]], backAt[w], backAt[w] - leftAt[w] - 1, frames[w]));
                }
            }
        }
        return scripts;
    }

    // A floor cell in a room next to the home room, so the way out crosses one doorway.
    private static int NeighbourGoal(ReferenceBatch reference, int w, int home, Random random)
    {
        int[] neighbours = home switch { 0 => [1, 2], 1 => [0, 3], 2 => [0, 3], _ => [1, 2] };
        return ExplorerPolicy.RandomGoal(reference, w, random, neighbours[random.Next(2)]);
    }

    private static RevisitFidelity Replay(LearnedWorld model, List<RevisitScript> scripts, bool memoryOn)
    {
        var n = scripts.Count;
        using var memory = new RoomMemory(n, memoryOn);
        var state = Start(model, [.. scripts.Select(s => s.Seed)], memory);
        var predicted = new byte[n * FrameBytes];
        var truth = new byte[n * FrameBytes];
        var actions = new long[n * P];
        var longest = scripts.Max(s => s.ReturnTick);
        using var trace = new RevisitTrace([.. scripts.Select(s => s.Seed)], [.. scripts.Select(s => s.ReturnTick)]);
        for (var tick = 0; tick < longest; tick++)
        {
            for (var w = 0; w < n; w++)
            {
                actions[w * P] = tick < scripts[w].Actions.Length ? scripts[w].Actions[tick] : 0;
            }
            var (next, frames) = Advance(model, state, actions, memory);
            DisposeAll(state);
            state = next;
            trace.Step(tick, actions, state);
            for (var w = 0; w < n; w++)
            {
                if (scripts[w].ReturnTick == tick + 1)
                {
                    Array.Copy(frames, w * FrameBytes, predicted, w * FrameBytes, FrameBytes);
                    Array.Copy(scripts[w].Frame, 0, truth, w * FrameBytes, FrameBytes);
                }
            }
        }
        DisposeAll(state);
        var (psnr, exact) = Score(predicted, truth, Enumerable.Range(0, n).ToArray());
        return new RevisitFidelity(memoryOn, n, scripts.Average(s => s.TicksAway), psnr, exact, Departures(scripts, trace, predicted, truth));
    }

    // Where each wrong revisit first went wrong. The script leaves at tick ReturnTick - TicksAway - 1 and starts back
    // after MinTicksAway more.
    private static RevisitDepartures Departures(List<RevisitScript> scripts, RevisitTrace trace, byte[] predicted, byte[] truth)
    {
        int leaving = 0, away = 0, returning = 0, frameOnly = 0;
        for (var w = 0; w < scripts.Count; w++)
        {
            if (CellReader.Read(predicted, w).AsSpan().SequenceEqual(CellReader.Read(truth, w)))
            {
                continue;
            }
            var leftAt = scripts[w].ReturnTick - scripts[w].TicksAway - 1;
            var tick = trace.Departure(w);
            if (tick < 0)
            {
                frameOnly++;
            }
            else if (tick <= leftAt)
            {
                leaving++;
            }
            else if (tick <= leftAt + MinTicksAway)
            {
                away++;
            }
            else
            {
                returning++;
            }
        }
        return new RevisitDepartures(leaving, away, returning, frameOnly);
    }

    /// <summary>Starts the model on <paramref name="seeds"/> and writes its first memory.</summary>
    internal static Tensor[] Start(LearnedWorld model, IReadOnlyList<WorldSeed> seeds, RoomMemory memory)
    {
        var output = model.Init(seeds);
        memory.Write(output.Memory);
        DisposeWrite(output.Memory);
        output.Frames.Dispose();
        return [.. output.State];
    }

    /// <summary>One step of the model with memory read and written.</summary>
    internal static (Tensor[] State, byte[] Frames) Advance(LearnedWorld model, Tensor[] state, long[] actions, RoomMemory memory)
    {
        using var actionTensor = tensor(actions, [state[0].shape[0], P]);
        var output = model.Step(state, actionTensor, memory.Read());
        memory.Write(output.Memory);
        DisposeWrite(output.Memory);
        var frames = output.Frames.data<byte>().ToArray();
        output.Frames.Dispose();
        return ([.. output.State], frames);
    }

    private static void DisposeWrite(MemoryWrite? write)
    {
        write?.Keys.Dispose();
        write?.Entries.Dispose();
    }

    /// <summary>Disposes every tensor.</summary>
    internal static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors)
        {
            t.Dispose();
        }
    }
}
