using WorldCluster.Models.Contract;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>Checks a model's output against its manifest: tensor count, dtypes and shapes, and (optionally) finite floats.</summary>
public static class ModelOutputCheck
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the first output that contradicts the manifest.</summary>
    public static void Shapes(ModelManifest manifest, StepOutput output, long batch, string call)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(output);
        if (output.State.Count != manifest.State.Count)
        {
            throw new InvalidDataException($"{call} returned {output.State.Count} state tensors; the manifest lists {manifest.State.Count}");
        }
        for (var i = 0; i < manifest.State.Count; i++)
        {
            Tensor(manifest.State[i], output.State[i], batch, $"{call}: state '{manifest.State[i].Name}'");
        }
        var o = manifest.Observation;
        Tensor(new StateTensorSpec("frames", StateDType.UInt8, [o.Channels, o.Height, o.Width]), output.Frames, batch, $"{call}: frames");
        if (manifest.Memory is { } memory)
        {
            var write = output.Memory ?? throw new InvalidDataException($"{call} returned no memory write; the manifest declares scene memory");
            // One write per world ([B] keys) or several ([B, K] keys with [B, K, ...] entries).
            long[] perWorld = write.Keys.dim() == 2 ? [write.Keys.shape[1]] : [];
            Tensor(new StateTensorSpec("keys", StateDType.Int64, perWorld), write.Keys, batch, $"{call}: memory keys");
            Tensor(memory.Entry with { Shape = [.. perWorld, .. memory.Entry.Shape] }, write.Entries, batch, $"{call}: memory entry '{memory.Entry.Name}'");
        }
    }

    /// <summary>Names the first float output (state or memory entry) holding NaN or an infinity, or null when all are finite.</summary>
    public static string? FirstNonFinite(ModelManifest manifest, StepOutput output)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(output);
        for (var i = 0; i < output.State.Count; i++)
        {
            if (!IsFinite(output.State[i]))
            {
                return $"state '{manifest.State[i].Name}'";
            }
        }
        return output.Memory is { } write && !IsFinite(write.Entries) ? $"memory entry '{manifest.Memory!.Entry.Name}'" : null;
    }

    private static bool IsFinite(Tensor t)
    {
        if (!t.is_floating_point())
        {
            return true;
        }
        using var all = t.isfinite().all();
        return all.item<bool>();
    }

    private static void Tensor(StateTensorSpec spec, Tensor actual, long batch, string what)
    {
        long[] expected = [batch, .. spec.Shape];
        if (actual.dtype != spec.DType.ToScalarType())
        {
            throw new InvalidDataException($"{what} is {actual.dtype}; the manifest says {spec.DType}");
        }
        if (!actual.shape.SequenceEqual(expected))
        {
            throw new InvalidDataException($"{what} has shape [{string.Join(", ", actual.shape)}]; the manifest says [{string.Join(", ", expected)}] (batch first)");
        }
    }
}
