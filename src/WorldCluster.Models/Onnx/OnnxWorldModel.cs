using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using WorldCluster.Models.Contract;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace WorldCluster.Models.Onnx;

/// <summary>
/// A world model exported from PyTorch with <c>torch.onnx.export</c> as two graphs, run by ONNX Runtime
/// (docs/model-packages.md): <c>init.onnx</c> takes <c>seeds</c> and <c>players</c> (int64 <c>[B]</c>);
/// <c>step.onnx</c> takes each state tensor by its manifest name and <c>actions</c> (int64 <c>[B, P]</c>); both return
/// <c>next_&lt;state&gt;</c> for each state tensor and <c>frames</c> (uint8 <c>[B, C, H, W]</c>).
/// </summary>
/// <remarks>
/// The state goes back to host tensors after every step, like every other model's: the batcher gathers and scatters
/// per-world state between steps, so there is no OrtValue to keep resident until the runtime keeps state on the model's side.
/// </remarks>
public sealed partial class OnnxWorldModel : IWorldModel
{
    /// <summary>Output name of state tensor <c>name</c>.</summary>
    public static string OutputName(string state) => "next_" + state;

    private readonly InferenceSession _init;
    private readonly InferenceSession _step;
    private readonly string[] _stepInputs;
    private readonly string[] _outputs;

    /// <summary>Loads both graphs with <paramref name="settings"/> and checks their inputs and outputs against <paramref name="manifest"/>.</summary>
    /// <exception cref="InvalidDataException">A graph cannot be loaded or contradicts the manifest; the message names the file.</exception>
    public OnnxWorldModel(ModelManifest manifest, string initPath, string stepPath, OnnxRuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(settings);
        if (manifest.Memory is not null)
        {
            throw new InvalidDataException("onnx packages cannot declare scene memory yet");
        }
        Manifest = manifest;
        _stepInputs = [.. manifest.State.Select(s => s.Name), "actions"];
        _outputs = [.. manifest.State.Select(s => OutputName(s.Name)), "frames"];
        var o = manifest.Observation;
        OnnxTensorSpec[] outputs =
        [
            .. manifest.State.Select(s => new OnnxTensorSpec(OutputName(s.Name), s.DType, s.Shape)),
            new("frames", StateDType.UInt8, [o.Channels, o.Height, o.Width]),
        ];
        using var options = settings.CreateSessionOptions();
        _init = Open(initPath, options, [new("seeds", StateDType.Int64, []), new("players", StateDType.Int64, [])], outputs);
        try
        {
            _step = Open(stepPath, options,
                [.. manifest.State.Select(s => new OnnxTensorSpec(s.Name, s.DType, s.Shape)), new("actions", StateDType.Int64, [manifest.MaxPlayers])], outputs);
        }
        catch
        {
            _init.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ModelManifest Manifest { get; }

    /// <inheritdoc />
    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        using var scope = NewDisposeScope();
        using var seedValue = ToOrt(tensor(seeds.Select(s => s.Seed).ToArray(), ScalarType.Int64), StateDType.Int64);
        using var players = ToOrt(tensor(seeds.Select(s => (long)s.Players).ToArray(), ScalarType.Int64), StateDType.Int64);
        var output = Run(_init, ["seeds", "players"], [seedValue, players], seeds.Count, "init.onnx");
        // The outputs are the caller's, not this scope's.
        return new StepOutput([.. output.State.Select(t => t.MoveToOuterDisposeScope())], output.Frames.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        if (state.Count != Manifest.State.Count)
        {
            throw new ArgumentException($"model {Manifest.Id} takes {Manifest.State.Count} state tensors; got {state.Count}", nameof(state));
        }
        var inputs = new List<OrtValue>(state.Count + 1);
        try
        {
            for (var i = 0; i < state.Count; i++)
            {
                inputs.Add(ToOrt(state[i], Manifest.State[i].DType));
            }
            inputs.Add(ToOrt(actions, StateDType.Int64));
            return Run(_step, _stepInputs, inputs, actions.shape[0], "step.onnx");
        }
        finally
        {
            inputs.ForEach(v => v.Dispose());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _init.Dispose();
        _step.Dispose();
    }

    private static InferenceSession Open(string path, SessionOptions options, OnnxTensorSpec[] inputs, OnnxTensorSpec[] outputs)
    {
        var file = Path.GetFileName(path);
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            var runtime = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}";
            var opset = TooNewOpset().Match(e.Message);
            throw new InvalidDataException(opset.Success
                ? $"{file} cannot be loaded by {runtime}: it is stamped with opset {opset.Groups[1].Value} of {opset.Groups[2].Value}, and {runtime} runs opsets up to {opset.Groups[3].Value} (export with a lower opset_version)"
                : $"{file} cannot be loaded by {runtime}: {e.Message}", e);
        }
        if (OnnxSignature.FirstMismatch(file, session, inputs, outputs) is { } mismatch)
        {
            session.Dispose();
            throw new InvalidDataException(mismatch);
        }
        return session;
    }

    // ONNX Runtime's refusal of an unreleased opset, which it words with its source location and a paragraph of caveats.
    [GeneratedRegex(@"Opset (\d+) is under development.*support for domain (\S+) is till opset (\d+)", RegexOptions.Singleline)]
    private static partial Regex TooNewOpset();

    private StepOutput Run(InferenceSession session, IReadOnlyCollection<string> names, IReadOnlyCollection<OrtValue> inputs, long batch, string file)
    {
        using var run = new RunOptions();
        using var results = session.Run(run, names, inputs, _outputs);
        var tensors = results.Select(ToTorch).ToArray();
        var output = new StepOutput(tensors[..^1], tensors[^1]);
        Check(output, batch, file);
        return output;
    }

    private void Check(StepOutput output, long batch, string file)
    {
        try
        {
            Models.Packages.ModelOutputCheck.Shapes(Manifest, output, batch, file);
        }
        catch
        {
            output.State.Concat([output.Frames]).ToList().ForEach(t => t.Dispose());
            throw;
        }
    }

    // Copies a host tensor into a new ONNX Runtime tensor: into ONNX Runtime's own (64-byte aligned) memory, because some
    // CPU kernels' results depend on where their input starts (docs/model-packages.md, "Batch invariance of ONNX Runtime").
    private static OrtValue ToOrt(Tensor tensor, StateDType dtype)
    {
        if (tensor.dtype != dtype.ToScalarType())
        {
            throw new ArgumentException($"a {dtype} input arrived as {tensor.dtype}");
        }
        // A scope, not a using: cpu() and contiguous() may hand back the caller's own tensor, which is not ours to dispose.
        using var scope = NewDisposeScope();
        var cpu = tensor.cpu().contiguous();
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, OnnxTensorSpec.ElementTypeOf(dtype), cpu.shape);
        cpu.bytes.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private static Tensor ToTorch(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var type = info.ElementDataType switch
        {
            TensorElementType.UInt8 => ScalarType.Byte,
            TensorElementType.Int32 => ScalarType.Int32,
            TensorElementType.Int64 => ScalarType.Int64,
            TensorElementType.Float => ScalarType.Float32,
            var other => throw new InvalidDataException($"a graph output is {other}, which no manifest dtype maps to"),
        };
        var tensor = empty(info.Shape, type);
        tensor.bytes = value.GetTensorMutableRawData();
        return tensor;
    }
}
