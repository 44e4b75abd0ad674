using System.Diagnostics;
using System.Security.Cryptography;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Numerics;

/// <summary>
/// Measures which batch sizes give a model bit-identical results for the same world: one probe world runs a fixed
/// action sequence inside batches of each size, filled with other worlds, first and last in the batch, and its states
/// and frames are fingerprinted. Sizes with equal fingerprints form a numeric class (<c>../shared/NUMERICS.md</c>).
/// </summary>
public static class BatchInvarianceCheck
{
    /// <summary>The batch sizes checked when none are named: small sizes one by one, then around the powers of two.</summary>
    public static IReadOnlyList<int> DefaultSizes { get; } = [1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 16, 17, 24, 31, 32, 48, 64];

    /// <summary>Runs the check: every size tried with the probe world first and last in the batch.</summary>
    /// <param name="model">The model, loaded as a silo would load it.</param>
    /// <param name="sizes">The batch sizes to check.</param>
    /// <param name="steps">Ticks per run.</param>
    /// <param name="progress">Gets one line per size checked.</param>
    /// <param name="actionCount">A discrete space's actions drawn are <c>0 … actionCount - 1</c> (default: the whole space), for models whose last actions end a world; structured spaces draw every component within its bounds.</param>
    public static BatchInvarianceReport Run(IWorldModel model, IReadOnlyList<int> sizes, int steps, IProgress<string>? progress = null, int? actionCount = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (sizes.Count == 0 || sizes.Any(s => s < 1) || sizes.Distinct().Count() != sizes.Count)
        {
            throw new ArgumentException("batch sizes must be distinct and at least 1", nameof(sizes));
        }
        var actions = actionCount ?? model.Manifest.ActionSpace.N;
        if (model.Manifest.ActionSpace.IsDiscrete)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(actions, 1, nameof(actionCount));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(actions, model.Manifest.ActionSpace.N, nameof(actionCount));
        }
        var runs = new List<BatchSizeRun>();
        foreach (var size in sizes.Order())
        {
            // The second run is the one timed: a model's first call at a new shape may compile or allocate for it.
            var first = Fingerprint(model, size, 0, steps, actions, out _);
            var last = Fingerprint(model, size, size - 1, steps, actions, out var elapsed);
            runs.Add(new BatchSizeRun(size, first, first == last, elapsed / steps));
            progress?.Report($"batch {size}: {first[..12]}{(first == last ? "" : " (differs by position)")}, {elapsed.TotalMilliseconds / steps:F2} ms per step");
        }
        return BatchInvarianceReport.From(model.Manifest.Id, steps, runs);
    }

    // The probe world's init row and every later state and frame row, hashed in order. The other rows are worlds of other
    // seeds with their own actions, so a kernel that mixed rows or changed path with the batch would show.
    private static string Fingerprint(IWorldModel model, int batch, int probeRow, int steps, int actionCount, out TimeSpan stepping)
    {
        var manifest = model.Manifest;
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var seeds = Enumerable.Range(0, batch)
            .Select(row => row == probeRow ? new WorldSeed(4_242, manifest.MaxPlayers) : new WorldSeed(1_000 + row, 1 + (row % manifest.MaxPlayers)))
            .ToArray();
        var output = model.Init(seeds);
        Append(hash, output, probeRow);
        var probeActions = new SplitMix64(7);
        var otherActions = new SplitMix64((ulong)(batch * 31 + probeRow));
        stepping = TimeSpan.Zero;
        for (var step = 0; step < steps; step++)
        {
            var words = new IReadOnlyList<int>[batch];
            for (var row = 0; row < batch; row++)
            {
                words[row] = RandomWords(manifest, ref row == probeRow ? ref probeActions : ref otherActions, actionCount);
            }
            var memoryTable = manifest.Memory is { } memory ? ModelProbe.EmptyMemory(memory, batch) : null;
            var started = Stopwatch.GetTimestamp();
            if (manifest.ActionSpace.IsDiscrete)
            {
                var actions = tensor(words.SelectMany(w => w.Select(a => (long)a)).ToArray(), [batch, manifest.MaxPlayers], ScalarType.Int64);
                output = memoryTable is null ? model.Step(output.State, actions) : model.Step(output.State, actions, memoryTable);
            }
            else
            {
                output = model.Step(output.State, ActionBatch.Stack(manifest.ActionSpace, words, batch, manifest.MaxPlayers), memoryTable);
            }
            stepping += Stopwatch.GetElapsedTime(started);
            Append(hash, output, probeRow);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // One world's words for every slot: a discrete action below actionCount, keys held or not, box values within bounds.
    private static int[] RandomWords(ModelManifest manifest, ref SplitMix64 random, int actionCount)
    {
        var words = new List<int>();
        for (var slot = 0; slot < manifest.MaxPlayers; slot++)
        {
            if (manifest.ActionSpace.IsDiscrete)
            {
                words.Add(random.Below(actionCount));
                continue;
            }
            foreach (var c in manifest.ActionSpace.Components)
            {
                for (var i = 0; i < c.Width; i++)
                {
                    words.Add(c.Kind switch
                    {
                        ActionKind.Discrete => random.Below(c.N),
                        ActionKind.Keys => random.Below(2),
                        _ => BitConverter.SingleToInt32Bits(c.Low[i] + ((c.High[i] - c.Low[i]) * random.Below(1 << 16) / (1 << 16))),
                    });
                }
            }
        }
        return [.. words];
    }

    private static void Append(IncrementalHash hash, StepOutput output, int row)
    {
        foreach (var state in output.State)
        {
            using var r = state[row].cpu().contiguous();
            hash.AppendData(r.bytes);
        }
        using var frame = output.Frames[row].cpu().contiguous();
        hash.AppendData(frame.bytes);
    }
}
