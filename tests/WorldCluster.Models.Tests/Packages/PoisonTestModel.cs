using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Tests.Packages;

/// <summary>
/// A tiny <c>torchsharp</c>-format test architecture: state x (float32 [2]) starts at the seed and adds each action to
/// x[0]; action 3 ("poison") turns the world's state into NaN. Its weights file holds a word: <c>nan-at-init</c> makes
/// init return NaN (a model that is broken at load); <c>batch-sized</c> adds the batch size to x[1] at every step (a
/// model whose rows depend on their batch: it must not declare itself batch-invariant); <c>row-mixing</c> adds the batch's
/// mean of x[0] to x[1] (a model whose rows depend on their neighbours); <c>throw-above-N</c> throws
/// when a call's batch holds more than N worlds. Every model records the batch size of each call it was given.
/// </summary>
internal sealed class PoisonTestModel(ModelManifest manifest, string mode) : IWorldModel
{
    public const string Architecture = "test.poison/1";

    public const int Poison = 3;

    private readonly List<long> _initSizes = [];
    private readonly List<long> _stepSizes = [];

    public ModelManifest Manifest { get; } = manifest;

    /// <summary>The batch size of every init call, in order.</summary>
    public IReadOnlyList<long> InitSizes => _initSizes;

    /// <summary>The batch size of every step call, in order.</summary>
    public IReadOnlyList<long> StepSizes => _stepSizes;

    public static ModelArchitectures Register(ModelArchitectures architectures) =>
        architectures.Register(Architecture, (package, _) => new PoisonTestModel(package.Manifest, File.ReadAllText(package.WeightsPath).Trim()));

    /// <summary>The model.json of a package of this architecture (weights file <c>weights.txt</c> with the given checksum).</summary>
    public static string ManifestJson(string name, string version, string sha256, bool batchInvariant = true, string buckets = "") => $$"""
        {
          "format": 1, "name": "{{name}}", "version": "{{version}}", "architecture": "{{Architecture}}",
          "weights": { "file": "weights.txt", "format": "torchsharp", "sha256": "{{sha256}}" },
          "observation": { "channels": 1, "height": 1, "width": 2 },
          "actionSpace": { "type": "discrete", "n": 4, "names": ["noop", "one", "two", "poison"] },
          "maxPlayers": 1,
          "state": [ { "name": "x", "dtype": "float32", "shape": [2] } ],
          "batchInvariant": {{(batchInvariant ? "true" : "false")}},
          "batchBuckets": [{{buckets}}]
        }
        """;

    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        lock (_initSizes)
        {
            _initSizes.Add(seeds.Count);
        }
        ThrowIfTooLarge(seeds.Count);
        var nanAtInit = mode == "nan-at-init";
        var x = tensor(seeds.SelectMany(s => new[] { (float)s.Seed, nanAtInit ? float.NaN : 0f }).ToArray(), [seeds.Count, 2]);
        return Output(x);
    }

    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        var batch = actions.shape[0];
        lock (_stepSizes)
        {
            _stepSizes.Add(batch);
        }
        ThrowIfTooLarge(batch);
        var a = actions.select(1, 0).to_type(ScalarType.Float32).unsqueeze(1);
        var sized = mode == "row-mixing"
            ? state[0].select(1, 0).mean().expand(batch).unsqueeze(1)
            : tensor(Enumerable.Repeat(mode == "batch-sized" ? (float)batch : 0f, (int)batch).ToArray(), [batch, 1]);
        var poisoned = actions.select(1, 0).eq(Scalars.Of(Poison)).unsqueeze(1);
        var x = where(poisoned, full_like(state[0], Scalars.Of(double.NaN)), state[0].Plus(cat([a, sized], 1)));
        return Output(x);
    }

    public void Dispose()
    {
    }

    private void ThrowIfTooLarge(long batch)
    {
        if (mode.StartsWith("throw-above-", StringComparison.Ordinal) && batch > int.Parse(mode["throw-above-".Length..], System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"the test model refuses a batch of {batch}");
        }
    }

    private static StepOutput Output(Tensor x)
    {
        var frames = x.nan_to_num().clamp(Scalars.Zero, Scalars.Of(255L)).to_type(ScalarType.Byte).view(x.shape[0], 1, 1, 2);
        return new StepOutput([x.MoveToOuterDisposeScope()], frames.MoveToOuterDisposeScope());
    }
}
