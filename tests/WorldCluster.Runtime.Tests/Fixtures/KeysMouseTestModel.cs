using WorldCluster.Models.Contract;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// A model with a dict action space {keys: W A S D (latest), mouse: dx dy in [-100, 100] (sum)}: each player's float32
/// position moves by the mouse plus one per key (W up, S down, A left, D right); the 1x1 frame counts keys held.
/// </summary>
internal sealed class KeysMouseTestModel : IWorldModel
{
    public ModelManifest Manifest { get; } = new(
        "keys-mouse-test", "1.0.0", MaxPlayers: 2, new ObservationShape(1, 1, 1),
        ActionSpace.Structured("dict",
            new ActionComponent("keys", ActionKind.Keys, ["W", "A", "S", "D"], 4, [], [], ActionMerge.Latest),
            new ActionComponent("mouse", ActionKind.Box, ["dx", "dy"], 2, [-100, -100], [100, 100], ActionMerge.Sum)),
        [new StateTensorSpec("position", StateDType.Float32, [2, 2])], ContextLength: 0, BatchInvariant: true, []);

    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        var position = zeros([seeds.Count, 2, 2], ScalarType.Float32);
        return new StepOutput([position], zeros([seeds.Count, 1, 1, 1], ScalarType.Byte));
    }

    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions) =>
        throw new InvalidOperationException("a structured space's model is stepped with its components");

    public StepOutput Step(IReadOnlyList<Tensor> state, ActionBatch actions, SceneMemory? memory)
    {
        var keys = actions.Components[0].to(ScalarType.Float32);
        var mouse = actions.Components[1];
        var fromKeys = stack([keys[.., .., 3] - keys[.., .., 1], keys[.., .., 0] - keys[.., .., 2]], dim: -1);
        var frame = keys.sum([1, 2]).to(ScalarType.Byte).reshape(-1, 1, 1, 1);
        return new StepOutput([state[0] + mouse + fromKeys], frame);
    }

    public void Dispose()
    {
    }
}
