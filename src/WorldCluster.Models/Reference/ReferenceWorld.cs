using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Reference;

/// <summary>
/// The reference world: a procedural, exactly defined multi-player grid world of four rooms, computed with integer
/// tensor ops for a batch of worlds at once. It is the ground truth learned models are trained on and measured against.
/// </summary>
/// <remarks>See docs/reference-world.md for the rules, the state tensors and the frame layout.</remarks>
public sealed class ReferenceWorld : IWorldModel
{
    private readonly Device _device;

    /// <summary>Creates the model; <see cref="Init"/> puts new states on <paramref name="device"/> (the CPU by default).</summary>
    public ReferenceWorld(Device? device = null) => _device = device ?? CPU;

    /// <summary>The reference world's manifest (the same for every instance).</summary>
    public static ModelManifest ReferenceManifest { get; } = new(
        Name: "reference-world",
        Version: "1.0.0",
        MaxPlayers: ReferenceGeometry.MaxPlayers,
        Observation: new ObservationShape(3, ReferenceGeometry.FramePixels, ReferenceGeometry.FramePixels),
        ActionSpace: ActionSpace.Discrete("noop", "up", "down", "left", "right", "interact"),
        State:
        [
            new StateTensorSpec("cells", StateDType.UInt8, [ReferenceGeometry.GridSize, ReferenceGeometry.GridSize]),
            new StateTensorSpec("players", StateDType.Int64, [ReferenceGeometry.MaxPlayers, 2]),
            new StateTensorSpec("active", StateDType.UInt8, [ReferenceGeometry.MaxPlayers]),
            new StateTensorSpec("scores", StateDType.Int32, [ReferenceGeometry.MaxPlayers]),
            new StateTensorSpec("rng", StateDType.Int64, [1]),
        ],
        ContextLength: 0,
        // Every op is integer arithmetic, a comparison, or a gather/scatter/reduction within one world's row: no float
        // rounding and no reduction across the batch, so results are exact and identical at any batch size or padding.
        BatchInvariant: true,
        BatchBuckets: [],
        // The room the camera (slot 0) is in keys the scene memory; the entry is that room's cells as last seen.
        Memory: new MemorySpec("room", new StateTensorSpec("cells", StateDType.UInt8, [ReferenceGeometry.RoomSize, ReferenceGeometry.RoomSize]),
            MaxEntries: ReferenceGeometry.RoomCount));

    /// <inheritdoc />
    public ModelManifest Manifest => ReferenceManifest;

    /// <inheritdoc />
    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        var states = seeds.Select(seed => ReferenceWorldGenerator.Generate(seed).ToWorldState()).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = WorldStateBatch.Stack(ReferenceManifest.State, states, states.Count, _device);
        var frames = ReferenceRenderer.Render(tensors[0], tensors[1], tensors[2]);
        return Keep(tensors, frames);
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        if (state.Count != ReferenceManifest.State.Count)
        {
            throw new ArgumentException($"expected {ReferenceManifest.State.Count} state tensors, got {state.Count}", nameof(state));
        }
        var batch = state[0].shape[0];
        if (actions.dim() != 2 || actions.shape[0] != batch || actions.shape[1] != ReferenceGeometry.MaxPlayers)
        {
            throw new ArgumentException($"actions must be [{batch}, {ReferenceGeometry.MaxPlayers}], got [{string.Join(", ", actions.shape)}]", nameof(actions));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = state[0].device;
        var (cells, players, scores, rng) = ReferenceRules.Tick(
            state[0], state[1], state[2], state[3], state[4], actions.to(ScalarType.Int64, device));
        var active = state[2].clone();
        var frames = ReferenceRenderer.Render(cells, players, active);
        return Keep([cells, players, active, scores, rng], frames);
    }

    /// <summary>Draws the frames of a batch of states (manifest order) without stepping them.</summary>
    public static Tensor Render(IReadOnlyList<Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return ReferenceRenderer.Render(state[0], state[1], state[2]).MoveToOuterDisposeScope();
    }

    /// <summary>Nothing to release: the model holds no tensors between calls.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc />
    /// <remarks>The reference world is ground truth: its state holds every room, so it reads no memory; it only writes the camera's room.</remarks>
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory) => Step(state, actions);

    private static StepOutput Keep(Tensor[] state, Tensor frames)
    {
        var kept = state.Select(t => t.contiguous().MoveToOuterDisposeScope()).ToArray();
        var memory = RememberCameraRoom(state[0], state[1]);
        return new StepOutput(kept, frames.contiguous().MoveToOuterDisposeScope(),
            new MemoryWrite(memory.Keys.MoveToOuterDisposeScope(), memory.Entries.MoveToOuterDisposeScope()));
    }

    // Key: the room slot 0 stands in; entry: that room's 16×16 cells.
    private static MemoryWrite RememberCameraRoom(Tensor cells, Tensor players)
    {
        const int Side = ReferenceGeometry.RoomSize;
        const int PerSide = ReferenceGeometry.RoomsPerSide;
        var batch = cells.shape[0];
        var camera = players.select(1, 0);
        var side = Scalars.Of(Side);
        var room = camera.select(1, 0).div(side, rounding_mode: RoundingMode.floor).Times(PerSide).Plus(camera.select(1, 1).div(side, rounding_mode: RoundingMode.floor));
        var rooms = cells.view(batch, PerSide, Side, PerSide, Side).permute(0, 1, 3, 2, 4).reshape(batch, PerSide * PerSide, Side, Side);
        var entry = rooms.gather(1, room.view(batch, 1, 1, 1).expand(batch, 1, Side, Side)).squeeze(1).contiguous();
        return new MemoryWrite(room, entry);
    }
}
