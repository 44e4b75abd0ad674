namespace WorldCluster.Models.Contract;

/// <summary>What the runtime needs to know to create, batch, step and show a model's worlds.</summary>
/// <param name="Name">Stable model name used in world creation requests.</param>
/// <param name="Version">Model version; a world remembers the version it was created with.</param>
/// <param name="MaxPlayers">Player slots a world of this model can have.</param>
/// <param name="Observation">Shape of the frame a viewer sees.</param>
/// <param name="ActionSpace">The action space of each player slot.</param>
/// <param name="State">The per-world state tensors (without the batch dimension).</param>
/// <param name="ContextLength">Information only: recent frames or latents the model keeps in its own state tensors (0 when it keeps none); the runtime keeps no context window.</param>
/// <param name="BatchInvariant">True when a world's step result does not depend on which other worlds share its batch.</param>
/// <param name="BatchBuckets">
/// Batch sizes the model is run at; the batcher pads a batch up to the next bucket so every step of a world takes the
/// same numeric path (see docs/batching.md). Empty means any size is fine.
/// </param>
/// <param name="Memory">Long-term scene memory settings, when the model keys memory by place (null: no scene memory).</param>
public sealed record ModelManifest(
    string Name,
    string Version,
    int MaxPlayers,
    ObservationShape Observation,
    ActionSpace ActionSpace,
    IReadOnlyList<StateTensorSpec> State,
    int ContextLength,
    bool BatchInvariant,
    IReadOnlyList<int> BatchBuckets,
    MemorySpec? Memory = null)
{
    /// <summary>Every per-world tensor the runtime keeps and stores: the model's state, then its scene memory table.</summary>
    public IReadOnlyList<StateTensorSpec> StoredState => Memory is null ? State : [.. State, .. Memory.TableSpecs];

    /// <summary>The model id a world stores: <c>name@version</c>.</summary>
    public string Id => $"{Name}@{Version}";
}

/// <summary>Frame shape, channels first (RGB: 3).</summary>
public sealed record ObservationShape(int Channels, int Height, int Width)
{
    /// <summary>Bytes of one uint8 frame.</summary>
    public int ByteCount => Channels * Height * Width;
}

/// <summary>One per-world state tensor: its name, element type and shape without the batch dimension.</summary>
public sealed record StateTensorSpec(string Name, StateDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Element count of one world's tensor.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Byte count of one world's tensor.</summary>
    public long ByteCount => ElementCount * DType.ElementSize();
}
