using System.Security.Cryptography;

namespace WorldCluster.Models.Contract;

/// <summary>One world's complete model state in host memory: named tensors as raw little-endian bytes.</summary>
/// <remarks>Host bytes make a state cheap to hash, store and ship; the batcher turns many of them into batch tensors.</remarks>
public sealed class WorldState
{
    /// <summary>Creates a state; <paramref name="tensors"/> must follow the manifest's state specs, in order.</summary>
    public WorldState(IReadOnlyList<StateTensor> tensors) => Tensors = tensors;

    /// <summary>The tensors, in the manifest's order.</summary>
    public IReadOnlyList<StateTensor> Tensors { get; }

    /// <summary>Total bytes of tensor data.</summary>
    public long ByteCount => Tensors.Sum(t => (long)t.Data.Length);

    /// <summary>Checks the tensors against the manifest's specs; throws <see cref="InvalidDataException"/> on mismatch.</summary>
    public void Validate(IReadOnlyList<StateTensorSpec> specs)
    {
        if (specs.Count != Tensors.Count)
        {
            throw new InvalidDataException($"state has {Tensors.Count} tensors, the model expects {specs.Count}");
        }
        for (var i = 0; i < specs.Count; i++)
        {
            var (spec, t) = (specs[i], Tensors[i]);
            if (spec.Name != t.Name || spec.DType != t.DType || !spec.Shape.SequenceEqual(t.Shape) || spec.ByteCount != t.Data.Length)
            {
                throw new InvalidDataException($"state tensor {i} ('{t.Name}') does not match the model's spec '{spec.Name}'");
            }
        }
    }

    /// <summary>Feeds a canonical encoding of the state into <paramref name="hash"/> (names, types, shapes, bytes).</summary>
    public void AppendTo(IncrementalHash hash)
    {
        Span<byte> scratch = stackalloc byte[8];
        foreach (var t in Tensors)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(t.Name));
            scratch[0] = 0;
            scratch[1] = (byte)t.DType;
            hash.AppendData(scratch[..2]);
            foreach (var dim in t.Shape)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(scratch, dim);
                hash.AppendData(scratch);
            }
            hash.AppendData(t.Data);
        }
    }
}

/// <summary>One named state tensor of one world.</summary>
/// <param name="Name">Name from the manifest.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape without the batch dimension.</param>
/// <param name="Data">Row-major little-endian element bytes.</param>
public sealed record StateTensor(string Name, StateDType DType, long[] Shape, byte[] Data);
