using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// A tiny GEMM-backed model: libtorch's CPU Linear takes different numeric paths at different batch sizes
/// (../shared/NUMERICS.md), so this model shows whether the batcher's buckets really make steps batch-invariant.
/// </summary>
internal sealed class LinearTestModel : IWorldModel
{
    private const int Width = 24;
    private readonly nn.Module<Tensor, Tensor> _layer;
    private readonly Tensor _actionEmbedding;

    public LinearTestModel(IReadOnlyList<int> buckets, string name = "linear-test")
    {
        using var generator = new Generator(seed: 1234);
        _layer = nn.Linear(Width, Width);
        using (no_grad())
        {
            foreach (var p in _layer.parameters())
            {
                p.copy_(rand(p.shape, generator: generator) - 0.5);
            }
        }
        _actionEmbedding = rand([4, Width], generator: generator);
        Manifest = new ModelManifest(
            name, "1.0.0", MaxPlayers: 2, new ObservationShape(1, 2, 2), ActionSpace.Discrete("noop", "a", "b", "c"),
            [new StateTensorSpec("x", StateDType.Float32, [Width])], ContextLength: 0, BatchInvariant: buckets.Count > 0, buckets);
    }

    public ModelManifest Manifest { get; }

    /// <summary>Batch sizes the model was called with, in order.</summary>
    public List<int> CallSizes { get; } = [];

    /// <summary>Tensors the model received or returned in its last call (to check the caller disposed them).</summary>
    public List<Tensor> LastCallTensors { get; } = [];

    /// <summary>Per step call: where its input state's memory was and where its output state's was (to see copies avoided).</summary>
    public List<(IntPtr Input, IntPtr Output)> StatePointers { get; } = [];

    /// <summary>Runs inside every call, on the batcher thread (tests use it to block or observe).</summary>
    public Action? OnCall { get; set; }

    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        OnCall?.Invoke();
        CallSizes.Add(seeds.Count);
        var rows = seeds.Select(s =>
        {
            using var g = new Generator((ulong)s.Seed);
            return rand([Width], generator: g);
        }).ToArray();
        var x = stack(rows);
        return Output(x);
    }

    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        OnCall?.Invoke();
        CallSizes.Add((int)state[0].shape[0]);
        LastCallTensors.Clear();
        LastCallTensors.Add(state[0]);
        LastCallTensors.Add(actions);
        var push = _actionEmbedding.index_select(0, actions.flatten()).view(actions.shape[0], actions.shape[1], Width).sum(1);
        var x = tanh(_layer.forward(state[0]).Plus(push));
        StatePointers.Add((Address(state[0]), Address(x)));
        return Output(x);
    }

    // Where a CPU tensor's memory starts (its distance from address zero), without unsafe code.
    private static IntPtr Address(Tensor t) => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(t.bytes));

    private StepOutput Output(Tensor x)
    {
        var frames = x[.., ..4].abs().Times(255L).clamp(Scalars.Zero, Scalars.Of(255L)).to_type(ScalarType.Byte).view(x.shape[0], 1, 2, 2);
        LastCallTensors.Add(x);
        LastCallTensors.Add(frames);
        return new StepOutput([x], frames);
    }

    public void Dispose()
    {
        _layer.Dispose();
        _actionEmbedding.Dispose();
    }
}
