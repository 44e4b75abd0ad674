using TorchSharp;
using static TorchSharp.torch;

namespace WorldCluster.Models.Contract;

/// <summary>Moves world states between host bytes and batch tensors.</summary>
public static class WorldStateBatch
{
    /// <summary>
    /// Stacks per-world states into batch tensors of <paramref name="batchSize"/> rows; rows past the given states
    /// repeat the last state (padding that keeps every step at a fixed batch shape).
    /// </summary>
    public static Tensor[] Stack(IReadOnlyList<StateTensorSpec> specs, IReadOnlyList<WorldState> states, int batchSize, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(states.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, states.Count);
        var result = new Tensor[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var rowBytes = checked((int)spec.ByteCount);
            var buffer = new byte[(long)rowBytes * batchSize];
            for (var row = 0; row < batchSize; row++)
            {
                var source = states[Math.Min(row, states.Count - 1)].Tensors[i].Data;
                source.CopyTo(buffer, (long)row * rowBytes);
            }
            long[] shape = [batchSize, .. spec.Shape];
            var t = empty(shape, spec.DType.ToScalarType());
            buffer.CopyTo(t.bytes);
            result[i] = device is null || device.type == DeviceType.CPU ? t : t.to(device);
        }
        return result;
    }

    /// <summary>Copies the first <paramref name="count"/> rows of batch state tensors back to per-world host states.</summary>
    public static WorldState[] Unstack(IReadOnlyList<StateTensorSpec> specs, IReadOnlyList<Tensor> batch, int count)
    {
        var rows = new StateTensor[count][];
        for (var w = 0; w < count; w++)
        {
            rows[w] = new StateTensor[specs.Count];
        }
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            using var cpu = batch[i].cpu().contiguous();
            if (cpu.dtype != spec.DType.ToScalarType())
            {
                throw new InvalidOperationException($"model returned {cpu.dtype} for state '{spec.Name}', manifest says {spec.DType}");
            }
            var rowBytes = checked((int)spec.ByteCount);
            var all = cpu.bytes;
            if (all.Length < (long)rowBytes * count)
            {
                throw new InvalidOperationException($"model returned too few bytes for state '{spec.Name}'");
            }
            for (var w = 0; w < count; w++)
            {
                rows[w][i] = new StateTensor(spec.Name, spec.DType, [.. spec.Shape], all.Slice(w * rowBytes, rowBytes).ToArray());
            }
        }
        return [.. rows.Select(r => new WorldState(r))];
    }

    /// <summary>Copies the first <paramref name="count"/> frames (uint8 <c>[B, C, H, W]</c>) to host byte arrays.</summary>
    public static byte[][] UnstackFrames(Tensor frames, ObservationShape shape, int count)
    {
        using var cpu = frames.cpu().contiguous();
        if (cpu.dtype != ScalarType.Byte)
        {
            throw new InvalidOperationException($"model returned {cpu.dtype} frames; frames must be uint8");
        }
        var all = cpu.bytes;
        var size = shape.ByteCount;
        var result = new byte[count][];
        for (var w = 0; w < count; w++)
        {
            result[w] = all.Slice(w * size, size).ToArray();
        }
        return result;
    }
}
