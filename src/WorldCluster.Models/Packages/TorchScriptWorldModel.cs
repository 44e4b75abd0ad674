using TorchSharp;
using WorldCluster.Models.Contract;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>
/// A world model exported from PyTorch with <c>torch.jit.script</c> and saved with <c>torch.jit.save</c>. The module
/// follows the convention in docs/model-packages.md: <c>init(seeds, players)</c> and <c>step(state, actions)</c> (a
/// structured action space: <c>actions</c> is a list of one tensor per component)
/// (with scene memory: <c>step_with_memory(state, actions, memory_keys, memory_entries)</c>) each return a list of the
/// state tensors in manifest order, then the uint8 frames, then (with scene memory) the memory keys and entries.
/// </summary>
public sealed class TorchScriptWorldModel : IWorldModel
{
    private readonly jit.ScriptModule _module;
    private readonly Device _device;

    /// <summary>Loads the module at <paramref name="path"/> onto <paramref name="device"/> for a model described by <paramref name="manifest"/>.</summary>
    public TorchScriptWorldModel(ModelManifest manifest, string path, Device? device = null)
    {
        Manifest = manifest;
        _device = device ?? CPU;
        _module = jit.load(path);
        if (_device.type != DeviceType.CPU)
        {
            _module.to(_device);
        }
        _module.eval();
    }

    /// <inheritdoc />
    public ModelManifest Manifest { get; }

    /// <inheritdoc />
    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var seedTensor = tensor(seeds.Select(s => s.Seed).ToArray(), ScalarType.Int64, _device);
        var players = tensor(seeds.Select(s => (long)s.Players).ToArray(), ScalarType.Int64, _device);
        return Output(_module.invoke("init", seedTensor, players), seeds.Count, "init");
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        if (Manifest.Memory is not null)
        {
            throw new InvalidOperationException($"model {Manifest.Id} declares scene memory: step it with its memory");
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return Output(_module.invoke("step", Inputs(state), actions.to(_device)), actions.shape[0], "step");
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(memory);
        if (Manifest.Memory is null)
        {
            return Step(state, actions);
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var output = _module.invoke("step_with_memory", Inputs(state), actions.to(_device), memory.Keys.to(_device), memory.Entries.to(_device));
        return Output(output, actions.shape[0], "step_with_memory");
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, ActionBatch actions, SceneMemory? memory)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Tensor[] components = [.. actions.Components.Select(t => t.to(_device))];
        var batch = state[0].shape[0];
        if (Manifest.Memory is null)
        {
            return Output(_module.invoke("step", Inputs(state), components), batch, "step");
        }
        var table = memory ?? throw new ArgumentNullException(nameof(memory), $"model {Manifest.Id} declares scene memory: step it with its memory");
        return Output(_module.invoke("step_with_memory", Inputs(state), components, table.Keys.to(_device), table.Entries.to(_device)), batch, "step_with_memory");
    }

    /// <inheritdoc />
    public void Dispose() => _module.Dispose();

    private Tensor[] Inputs(IReadOnlyList<Tensor> state) => [.. state.Select(t => t.to(_device))];

    // Checks every output against the manifest, then moves the kept tensors out of the call's dispose scope.
    private StepOutput Output(object? result, long batch, string method)
    {
        var tensors = result switch
        {
            Tensor[] list => list,
            IEnumerable<Tensor> list => [.. list],
            object[] tuple when tuple.All(o => o is Tensor) => [.. tuple.Cast<Tensor>()],
            _ => throw new InvalidDataException($"{method} must return List[Tensor]; it returned {result?.GetType().Name ?? "nothing"}"),
        };
        var states = Manifest.State.Count;
        var expected = states + 1 + (Manifest.Memory is null ? 0 : 2);
        if (tensors.Length != expected)
        {
            throw new InvalidDataException(
                $"{method} returned {tensors.Length} tensors; the manifest needs {expected} ({states} state tensors, the frames{(Manifest.Memory is null ? "" : ", memory keys and entries")})");
        }
        var output = new StepOutput(tensors[..states], tensors[states],
            Manifest.Memory is null ? null : new MemoryWrite(tensors[states + 1], tensors[states + 2]));
        ModelOutputCheck.Shapes(Manifest, output, batch, method);
        return new StepOutput(
            [.. output.State.Select(t => t.contiguous().MoveToOuterDisposeScope())],
            output.Frames.contiguous().MoveToOuterDisposeScope(),
            output.Memory is { } m ? new MemoryWrite(m.Keys.contiguous().MoveToOuterDisposeScope(), m.Entries.contiguous().MoveToOuterDisposeScope()) : null);
    }
}
