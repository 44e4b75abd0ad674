using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Onnx;

/// <summary>One input or output a graph must have: its name, element type and shape after the batch dimension.</summary>
/// <param name="Name">The graph input or output name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">Sizes after the batch dimension.</param>
public sealed record OnnxTensorSpec(string Name, StateDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>The ONNX element type of <see cref="DType"/>.</summary>
    public TensorElementType ElementType => ElementTypeOf(DType);

    /// <summary>The ONNX element type of a state dtype.</summary>
    public static TensorElementType ElementTypeOf(StateDType dtype) => dtype switch
    {
        StateDType.UInt8 => TensorElementType.UInt8,
        StateDType.Int32 => TensorElementType.Int32,
        StateDType.Int64 => TensorElementType.Int64,
        StateDType.Float32 => TensorElementType.Float,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no ONNX element type"),
    };
}

/// <summary>
/// Checks a loaded graph's inputs and outputs against what the manifest says they are: the same names (no more, no
/// fewer), element types and ranks, a symbolic batch dimension first, and every fixed size after it equal to the
/// manifest's (a symbolic size there is allowed: the load probe checks what the graph actually returns).
/// </summary>
public static class OnnxSignature
{
    /// <summary>Returns the first mismatch as a sentence naming the graph file and tensor, or null when the graph fits.</summary>
    public static string? FirstMismatch(string file, InferenceSession session, IReadOnlyList<OnnxTensorSpec> inputs, IReadOnlyList<OnnxTensorSpec> outputs)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Compare(file, "input", session.InputMetadata, inputs) ?? Compare(file, "output", session.OutputMetadata, outputs);
    }

    private static string? Compare(string file, string kind, IReadOnlyDictionary<string, NodeMetadata> actual, IReadOnlyList<OnnxTensorSpec> expected)
    {
        var names = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var missing = expected.FirstOrDefault(e => !actual.ContainsKey(e.Name));
        var extra = actual.Keys.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing is not null || extra.Count > 0)
        {
            var has = string.Join(", ", actual.Keys.Order(StringComparer.Ordinal));
            var wants = string.Join(", ", expected.Select(e => e.Name));
            return missing is not null
                ? $"{file} has no {kind} '{missing.Name}' (its {kind}s: {has}; the manifest needs {wants})"
                : $"{file} has {kind} '{extra[0]}' the manifest does not name (the manifest needs {wants})";
        }
        foreach (var spec in expected)
        {
            var meta = actual[spec.Name];
            if (!meta.IsTensor)
            {
                return $"{file} {kind} '{spec.Name}' is a {meta.OnnxValueType}, not a tensor";
            }
            if (meta.ElementDataType != spec.ElementType)
            {
                return $"{file} {kind} '{spec.Name}' is {meta.ElementDataType}; the manifest says {spec.DType} ({spec.ElementType})";
            }
            var dims = meta.Dimensions;
            var want = $"[batch, {string.Join(", ", spec.Shape)}]".Replace(", ]", "]", StringComparison.Ordinal);
            if (dims.Length != spec.Shape.Count + 1)
            {
                return $"{file} {kind} '{spec.Name}' has rank {dims.Length} ({Show(meta)}); the manifest says {want}";
            }
            if (dims[0] >= 0)
            {
                return $"{file} {kind} '{spec.Name}' has a fixed batch size {dims[0]}; export it with a symbolic first dimension (dynamic_axes={{'{spec.Name}': {{0: 'batch'}}}})";
            }
            for (var i = 0; i < spec.Shape.Count; i++)
            {
                if (dims[i + 1] >= 0 && dims[i + 1] != spec.Shape[i])
                {
                    return $"{file} {kind} '{spec.Name}' has shape {Show(meta)}; the manifest says {want}";
                }
            }
        }
        return null;
    }

    private static string Show(NodeMetadata meta) =>
        "[" + string.Join(", ", meta.Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.IsNullOrEmpty(meta.SymbolicDimensions[i]) ? "?" : meta.SymbolicDimensions[i])) + "]";
}
