namespace WorldCluster.Models.Contract;

/// <summary>
/// Long-term scene memory: the runtime keeps, per world, up to <paramref name="MaxEntries"/> entries keyed by the model's
/// memory key (for example the room the camera is in), stores them with the world and hands them to every step.
/// </summary>
/// <param name="KeyName">What the key means, for people (e.g. "room").</param>
/// <param name="Entry">One entry's tensor (name, type and shape without batch and entry dimensions).</param>
/// <param name="MaxEntries">Entries kept per world; past this, the least recently written entry is replaced.</param>
public sealed record MemorySpec(string KeyName, StateTensorSpec Entry, int MaxEntries)
{
    /// <summary>Name of the keys tensor in a stored world (<c>[MaxEntries]</c> int64, -1 for an empty entry).</summary>
    public const string KeysTensor = "memory.keys";

    /// <summary>Name of the entries tensor in a stored world (<c>[MaxEntries, ...Entry.Shape]</c>).</summary>
    public const string EntriesTensor = "memory.entries";

    /// <summary>Name of the write-order tensor in a stored world (<c>[MaxEntries]</c> int64, -1 for an empty entry).</summary>
    public const string WrittenTensor = "memory.written";

    /// <summary>The per-world tensors of the memory table, as stored after the model's state.</summary>
    public IReadOnlyList<StateTensorSpec> TableSpecs =>
    [
        new(KeysTensor, StateDType.Int64, [MaxEntries]),
        new(EntriesTensor, Entry.DType, [MaxEntries, .. Entry.Shape]),
        new(WrittenTensor, StateDType.Int64, [MaxEntries]),
    ];
}
