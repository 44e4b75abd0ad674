using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>Runs a freshly loaded model once (init, then one step, on a small batch) and checks its outputs against the manifest.</summary>
public static class ModelProbe
{
    /// <summary>Throws <see cref="ModelPackageException"/> when the model fails, contradicts its manifest or outputs NaN/infinity.</summary>
    public static void Run(IWorldModel model, string package)
    {
        ArgumentNullException.ThrowIfNull(model);
        var manifest = model.Manifest;
        // The batcher only ever runs a model at its buckets, so the probe does too.
        var batch = manifest.BatchBuckets.Count > 0 ? manifest.BatchBuckets[0] : 2;
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var seeds = Enumerable.Range(0, batch).Select(i => new WorldSeed(i + 1, i % 2 == 0 ? manifest.MaxPlayers : 1)).ToArray();
        var init = Call(() => model.Init(seeds), "init", package);
        Check(manifest, init, batch, "init", package);
        var actions = tensor(Enumerable.Range(0, batch * manifest.MaxPlayers).Select(i => (long)(i % manifest.ActionSpace.N)).ToArray(),
            [batch, manifest.MaxPlayers], ScalarType.Int64);
        var stepped = manifest.Memory is { } memory
            ? Call(() => model.Step(init.State, actions, EmptyMemory(memory, batch)), "step", package)
            : Call(() => model.Step(init.State, actions), "step", package);
        Check(manifest, stepped, batch, "step", package);
    }

    private static SceneMemory EmptyMemory(MemorySpec memory, int batch) =>
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
            throw new ModelPackageException(package, $"the probe's {name} failed: {e.Message}", e);
        }
    }

    private static void Check(ModelManifest manifest, StepOutput output, int batch, string call, string package)
    {
        try
        {
            ModelOutputCheck.Shapes(manifest, output, batch, $"the probe's {call}");
        }
        catch (InvalidDataException e)
        {
            throw new ModelPackageException(package, e.Message, e);
        }
        if (ModelOutputCheck.FirstNonFinite(manifest, output) is { } bad)
        {
            throw new ModelPackageException(package, $"the probe's {call} returned NaN or infinite values in {bad}");
        }
    }
}
