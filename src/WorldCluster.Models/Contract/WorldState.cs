using System.Security.Cryptography;

namespace WorldCluster.Models.Contract;

/// <summary>One world's complete model state in host memory: named tensors as raw little-endian bytes.</summary>
/// <remarks>
/// Host bytes make a state cheap to hash, store and ship; the batcher turns many of them into batch tensors. Between
/// steps a served world's state stays on the model's device instead (<see cref="Resident"/>), and is copied to host
/// bytes only where something needs them: a snapshot, a fork, a deactivation.
/// </remarks>
public sealed class WorldState
{
    private readonly IReadOnlyList<StateTensor>? _tensors;

    /// <summary>Creates a state; <paramref name="tensors"/> must follow the manifest's state specs, in order.</summary>
    public WorldState(IReadOnlyList<StateTensor> tensors) => _tensors = tensors;

    private WorldState()
    {
    }

    /// <summary>A state that the model's batcher holds as tensors and that has no host copy here.</summary>
    public static WorldState Resident { get; } = new();

    /// <summary>True for <see cref="Resident"/>: the bytes are on the model's device, not here.</summary>
    public bool IsResident => _tensors is null;

    /// <summary>The tensors, in the manifest's order.</summary>
    /// <exception cref="InvalidOperationException">The state is <see cref="Resident"/>: read it from the batcher first.</exception>
    public IReadOnlyList<StateTensor> Tensors =>
        _tensors ?? throw new InvalidOperationException("this world's state is resident on the model's device and has no host copy; read it from its batcher first");

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
        foreach (var t in Tensors)
        {
            AppendTensorTo(hash, t.Name, t.DType, t.Shape, t.Data);
        }
    }

    /// <summary>Feeds one tensor's canonical encoding into <paramref name="hash"/>: the same bytes <see cref="AppendTo"/> feeds for it.</summary>
    public static void AppendTensorTo(IncrementalHash hash, string name, StateDType dtype, IReadOnlyList<long> shape, ReadOnlySpan<byte> data)
    {
        Span<byte> scratch = stackalloc byte[8];
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
        scratch[0] = 0;
        scratch[1] = (byte)dtype;
        hash.AppendData(scratch[..2]);
        foreach (var dim in shape)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(scratch, dim);
            hash.AppendData(scratch);
        }
        hash.AppendData(data);
    }
}

/// <summary>One named state tensor of one world.</summary>
/// <param name="Name">Name from the manifest.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape without the batch dimension.</param>
/// <param name="Data">Row-major little-endian element bytes.</param>
public sealed record StateTensor(string Name, StateDType DType, long[] Shape, byte[] Data);
