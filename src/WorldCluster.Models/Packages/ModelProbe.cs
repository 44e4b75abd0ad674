using System.Diagnostics;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>
/// Runs a freshly loaded model once (init, then one step, on a small batch) and checks its outputs against the manifest;
/// then warms it up at every batch size the batcher will run it at, so that the first player's step is not the slow one.
/// </summary>
public static class ModelProbe
{
    /// <summary>The largest batch a model without buckets is warmed up at when the silo names none (the batcher's default <c>MaxBatchSize</c>).</summary>
    public const int DefaultLargestBatch = 64;

    /// <summary>Throws <see cref="ModelPackageException"/> when the model fails, contradicts its manifest or outputs NaN/infinity.</summary>
    public static void Run(IWorldModel model, string package)
    {
        ArgumentNullException.ThrowIfNull(model);
        var manifest = model.Manifest;
        // The batcher only ever runs a model at its buckets, so the probe does too.
        var batch = manifest.BatchBuckets.Count > 0 ? manifest.BatchBuckets[0] : 2;
        Try(model, package, batch, name => $"the probe's {name}", everyAction: true);
    }

    /// <summary>The batch sizes a model is warmed up at: every bucket, or (without buckets) 1 and <paramref name="largestBatch"/>.</summary>
    public static IReadOnlyList<int> WarmUpSizes(ModelManifest manifest, int largestBatch)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfLessThan(largestBatch, 1);
        return manifest.BatchBuckets.Count > 0 ? manifest.BatchBuckets : largestBatch == 1 ? [1] : [1, largestBatch];
    }

    /// <summary>
    /// Runs one init and one step (every player's action the no-op) at each of <see cref="WarmUpSizes"/> and checks each
    /// output like the probe; returns the time
    /// it took. Throws <see cref="ModelPackageException"/> naming the batch size when the model fails at one of them.
    /// </summary>
    public static TimeSpan WarmUp(IWorldModel model, string package, int largestBatch = DefaultLargestBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        var started = Stopwatch.GetTimestamp();
        foreach (var batch in WarmUpSizes(model.Manifest, largestBatch))
        {
            // Only no-ops: the warm-up is there to run each shape once, the probe has already tried the actions.
            Try(model, package, batch, name => $"the warm-up's {name} at batch {batch}", everyAction: false);
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private static void Try(IWorldModel model, string package, int batch, Func<string, string> call, bool everyAction)
    {
        var manifest = model.Manifest;
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var seeds = Enumerable.Range(0, batch).Select(i => new WorldSeed(i + 1, i % 2 == 0 ? manifest.MaxPlayers : 1)).ToArray();
        var init = Call(() => model.Init(seeds), call("init"), package);
        Check(manifest, init, batch, call("init"), package);
        if (!manifest.ActionSpace.IsDiscrete)
        {
            // Structured spaces: no-ops, then (for the probe) every key held and every box at its high bound.
            var words = everyAction ? Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<int>)HighWords(manifest)).ToArray() : [];
            var batchActions = ActionBatch.Stack(manifest.ActionSpace, words, batch, manifest.MaxPlayers);
            var memoryTable = manifest.Memory is { } m ? EmptyMemory(m, batch) : null;
            Check(manifest, Call(() => model.Step(init.State, batchActions, memoryTable), call("step"), package), batch, call("step"), package);
            return;
        }
        var actions = tensor(Enumerable.Range(0, batch * manifest.MaxPlayers).Select(i => everyAction ? (long)(i % manifest.ActionSpace.N) : 0L).ToArray(),
            [batch, manifest.MaxPlayers], ScalarType.Int64);
        var stepped = manifest.Memory is { } memory
            ? Call(() => model.Step(init.State, actions, EmptyMemory(memory, batch)), call("step"), package)
            : Call(() => model.Step(init.State, actions), call("step"), package);
        Check(manifest, stepped, batch, call("step"), package);
    }

    // Every slot's words with each key held, each box at its high bound and each discrete component at its last action.
    private static int[] HighWords(ModelManifest manifest) => [.. Enumerable.Range(0, manifest.MaxPlayers).SelectMany(_ =>
        manifest.ActionSpace.Components.SelectMany(c => c.Kind switch
        {
            ActionKind.Discrete => [c.N - 1],
            ActionKind.Keys => Enumerable.Repeat(1, c.N),
            _ => c.High.Select(BitConverter.SingleToInt32Bits),
        }))];

    /// <summary>An empty scene memory for a batch (no entries kept), as a step needs it.</summary>
    public static SceneMemory EmptyMemory(MemorySpec memory, int batch) =>
        new(full([batch, memory.MaxEntries], Scalars.Of(-1L), ScalarType.Int64),
            zeros([batch, memory.MaxEntries, .. memory.Entry.Shape], memory.Entry.DType.ToScalarType()));

    private static StepOutput Call(Func<StepOutput> call, string name, string package)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not ModelPackageException)
        {
            throw new ModelPackageException(package, $"{name} failed: {e.Message}", e);
        }
    }

    private static void Check(ModelManifest manifest, StepOutput output, int batch, string call, string package)
    {
        try
        {
            ModelOutputCheck.Shapes(manifest, output, batch, call);
        }
        catch (InvalidDataException e)
        {
            throw new ModelPackageException(package, e.Message, e);
        }
        if (ModelOutputCheck.FirstNonFinite(manifest, output) is { } bad)
        {
            throw new ModelPackageException(package, $"{call} returned NaN or infinite values in {bad}");
        }
    }
}
