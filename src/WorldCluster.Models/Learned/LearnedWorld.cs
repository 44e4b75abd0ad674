using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;
using static WorldCluster.Models.Torch.Scalars;

namespace WorldCluster.Models.Learned;

/// <summary>
/// The built-in learned world model: it sees the camera room as a grid of categorical tokens (the latent), steps it with
/// a convolutional action-conditioned dynamics network that also reads a context of the previous latents, the rooms in
/// scene memory around the view and the world's noise stream, and draws frames with a learned decoder. Trained on
/// rollouts of the reference world (<c>worldcluster train</c>); see docs/models.md.
/// </summary>
public sealed class LearnedWorld : IWorldModel
{
    /// <summary>The architecture id model packages name for this model's TorchSharp weights.</summary>
    public const string Architecture = "worldcluster.learned-world/1";

    private const int View = LearnedGeometry.View;
    private const int Window = LearnedGeometry.Window;

    private readonly LearnedWorldNetwork _network;
    private readonly Device _device;

    /// <summary>Serves <paramref name="network"/> (the model owns and disposes it) on <paramref name="device"/> (the CPU by default).</summary>
    public LearnedWorld(LearnedWorldNetwork network, ModelManifest? manifest = null, Device? device = null)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _device = device ?? CPU;
        _network.to(_device);
        _network.eval();
        Manifest = manifest ?? DefaultManifest;
    }

    /// <summary>The manifest of the built-in package.</summary>
    public static ModelManifest DefaultManifest { get; } = new(
        Name: "learned-world",
        Version: "1.0.0",
        MaxPlayers: ReferenceGeometry.MaxPlayers,
        Observation: ReferenceWorld.ReferenceManifest.Observation,
        ActionSpace: ReferenceWorld.ReferenceManifest.ActionSpace,
        State:
        [
            new StateTensorSpec("cells", StateDType.UInt8, [View, View]),
            new StateTensorSpec("avatars", StateDType.UInt8, [View, View]),
            new StateTensorSpec("context", StateDType.UInt8, [LearnedGeometry.ContextLength, 2, View, View]),
            new StateTensorSpec("room", StateDType.Int64, [1]),
            new StateTensorSpec("noise", StateDType.Int64, [1]),
        ],
        ContextLength: LearnedGeometry.ContextLength,
        // Convolutions are bit-identical for every batch size of two and more (../shared/NUMERICS.md); a lone world is
        // run as a batch of two, and every op between them works within a world's row.
        BatchInvariant: true,
        BatchBuckets: [],
        Memory: new MemorySpec("room", new StateTensorSpec("cells", StateDType.UInt8, [View, View]), MaxEntries: LearnedGeometry.Rooms));

    /// <inheritdoc />
    public ModelManifest Manifest { get; }

    /// <summary>The network (for training tools and tests).</summary>
    public LearnedWorldNetwork Network => _network;

    /// <summary>Loads a model from weights saved by <c>worldcluster train</c>.</summary>
    public static LearnedWorld Load(string weightsPath, ModelManifest? manifest = null, Device? device = null) =>
        new(LearnedWorldNetwork.Load(weightsPath), manifest, device);

    /// <inheritdoc />
    /// <remarks>
    /// The model is prompted with the level: the reference world's generator lays out the seed's rooms, the encoder
    /// reads each room's image into tokens, and all four rooms go into scene memory.
    /// </remarks>
    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var worlds = seeds.Select(s => ReferenceWorldGenerator.Generate(s).ToWorldState()).ToList();
        var reference = WorldStateBatch.Stack(ReferenceWorld.ReferenceManifest.State, worlds, worlds.Count, _device);
        var (cells, players, active, rng) = (reference[0], reference[1], reference[2], reference[4]);
        var batch = cells.shape[0];

        // One image per room without avatars, and the camera's own frame.
        var images = new List<Tensor>(LearnedGeometry.Rooms + 1);
        var nobody = zeros_like(active);
        for (var room = 0; room < LearnedGeometry.Rooms; room++)
        {
            var corner = tensor(new long[] { room / LearnedGeometry.RoomsPerSide * View, room % LearnedGeometry.RoomsPerSide * View }, device: _device);
            var camera = players.clone();
            camera.select(1, 0).copy_(corner.expand(batch, 2));
            images.Add(ReferenceRenderer.Render(cells, camera, nobody));
        }
        images.Add(ReferenceRenderer.Render(cells, players, active));
        var (tokenCells, tokenAvatars) = Encode(cat(images, 0));
        var roomCells = tokenCells.narrow(0, 0, LearnedGeometry.Rooms * batch).view(LearnedGeometry.Rooms, batch, View, View).transpose(0, 1);
        var viewCells = tokenCells.narrow(0, LearnedGeometry.Rooms * batch, batch);
        var viewAvatars = tokenAvatars.narrow(0, LearnedGeometry.Rooms * batch, batch);

        var cameraRoom = players.select(1, 0).floor_divide(Of(View));
        var roomId = cameraRoom.select(1, 0).Times(LearnedGeometry.RoomsPerSide).Plus(cameraRoom.select(1, 1));
        var view = stack([viewCells, viewAvatars], 1);
        var context = stack(Enumerable.Repeat(view, LearnedGeometry.ContextLength), 1);
        var keys = TensorOps.Range(LearnedGeometry.Rooms, _device).view(1, -1).expand(batch, -1);
        var frames = Decode(viewCells, viewAvatars);
        return Keep([viewCells, viewAvatars, context, roomId.view(batch, 1), rng.view(batch, 1)], frames, keys, roomCells.contiguous());
    }

    /// <inheritdoc />
    /// <remarks>Without scene memory the model knows only the room in view: every other room reads as walls.</remarks>
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions)
    {
        ArgumentNullException.ThrowIfNull(state);
        var batch = state[0].shape[0];
        using var empty = full([batch, 1], Of(-1L), ScalarType.Int64, state[0].device);
        using var entries = zeros([batch, 1, View, View], ScalarType.Byte, state[0].device);
        return Step(state, actions, new SceneMemory(empty, entries));
    }

    /// <inheritdoc />
    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(memory);
        if (state.Count != Manifest.State.Count)
        {
            throw new ArgumentException($"expected {Manifest.State.Count} state tensors, got {state.Count}", nameof(state));
        }
        var batch = state[0].shape[0];
        if (actions.dim() != 2 || actions.shape[0] != batch || actions.shape[1] != Manifest.MaxPlayers)
        {
            throw new ArgumentException($"actions must be [{batch}, {Manifest.MaxPlayers}], got [{string.Join(", ", actions.shape)}]", nameof(actions));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (batch == 1)
        {
            // Batch size 1 takes its own numeric path in libtorch; running a lone world as two keeps one path for all.
            var doubled = StepBatch(
                [.. state.Select(Twice)], Twice(actions), new SceneMemory(Twice(memory.Keys), Twice(memory.Entries)));
            return Keep([.. doubled.State.Select(t => t.narrow(0, 0, 1))], doubled.Frames.narrow(0, 0, 1),
                doubled.Memory!.Keys.narrow(0, 0, 1), doubled.Memory.Entries.narrow(0, 0, 1));
        }
        var output = StepBatch(state, actions, memory);
        return Keep([.. output.State], output.Frames, output.Memory!.Keys, output.Memory.Entries);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => _network.Dispose();

    /// <summary>Token grids (uint8 <c>[N, 16, 16]</c> cell classes and avatar ids) read from uint8 frames <c>[N, 3, 64, 64]</c>.</summary>
    public (Tensor Cells, Tensor Avatars) Encode(Tensor frames)
    {
        var input = frames.to(ScalarType.Float32, _device).div_(Of(255.0));
        return LatentCodec.Argmax(_network.Encoder.forward(input.shape[0] == 1 ? Twice(input) : input).narrow(0, 0, input.shape[0]));
    }

    /// <summary>uint8 frames <c>[N, 3, 64, 64]</c> drawn from token grids.</summary>
    public Tensor Decode(Tensor cells, Tensor avatars)
    {
        var latent = LatentCodec.OneHot(cells, avatars);
        var pixels = _network.Decoder.forward(latent.shape[0] == 1 ? Twice(latent) : latent).narrow(0, 0, latent.shape[0]);
        return pixels.mul(Of(255.0)).round_().clamp_(Zero, Of(255L)).to(ScalarType.Byte);
    }

    private StepOutput StepBatch(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory)
    {
        var (cells, avatars, context) = (state[0], state[1], state[2]);
        var room = state[3].view(-1);
        var rng = state[4].view(-1);
        var batch = cells.shape[0];
        var device = cells.device;

        var (map, known) = WorldMap.Compose(memory.Keys.to(ScalarType.Int64), memory.Entries, room, cells);
        var roomsBefore = WorldMap.Rooms(map);
        var windowCells = WorldMap.Window(map, room);
        var windowAvatars = nn.functional.pad(avatars, [1, 1, 1, 1]);

        // The noise stream's spawn candidate: into the window when it falls in the view, else into a remembered room.
        var (next, tries, spotRow, spotCol) = WorldNoise.Draw(rng);
        var gems = map.eq(Of(LearnedGeometry.Gem)).sum([1, 2]);
        var spawning = tries.logical_and(gems.lt(Of(ReferenceGeometry.GemCap)));
        var spotRoom = spotRow.floor_divide(Of(View)).Times(LearnedGeometry.RoomsPerSide).Plus(spotCol.floor_divide(Of(View)));
        var localRow = spotRow.remainder(Of(View));
        var localCol = spotCol.remainder(Of(View));
        var inView = spawning.logical_and(spotRoom.eq(room));
        var spawnMap = Spot(localRow.Plus(1L).Times(Window).Plus(localCol).Plus(1L), inView, Window);

        var input = LatentCodec.DynamicsInput(windowCells, windowAvatars, context, actions.to(ScalarType.Int64, device), spawnMap);
        var (nextCells, nextAvatars) = LatentCodec.Argmax(_network.Dynamics.forward(input));

        // Did player 0 (the camera) step into the border? Then the camera moves to that neighbouring room.
        var camera = nextAvatars.eq(One).view(batch, -1);
        var found = camera.any(1);
        var at = camera.to(ScalarType.Int32).argmax(1);
        var row = at.floor_divide(Of(Window));
        var col = at.remainder(Of(Window));
        var (roomRow, roomCol) = (room.floor_divide(Of(LearnedGeometry.RoomsPerSide)), room.remainder(Of(LearnedGeometry.RoomsPerSide)));
        var lastCell = Of(Window - 1);
        var lastRoom = Of(LearnedGeometry.RoomsPerSide - 1);
        var up = row.eq(Zero).logical_and(roomRow.gt(Zero));
        var down = row.eq(lastCell).logical_and(roomRow.lt(lastRoom));
        var left = col.eq(Zero).logical_and(roomCol.gt(Zero));
        var right = col.eq(lastCell).logical_and(roomCol.lt(lastRoom));
        var moved = found.logical_and(up.logical_or(down).logical_or(left).logical_or(right));
        var delta = up.to(ScalarType.Int64).Times(-LearnedGeometry.RoomsPerSide).Plus(down.to(ScalarType.Int64).Times(LearnedGeometry.RoomsPerSide))
            .sub(left.to(ScalarType.Int64)).Plus(right.to(ScalarType.Int64));
        var newRoom = where(moved, room.Plus(delta), room);

        // Fold the predicted window (view and border) back into the map, then let the updater apply an off-view spawn.
        map = WorldMap.WithWindow(map, room, nextCells);
        var rooms = WorldMap.Rooms(map);
        var knownSpot = known.gather(1, spotRoom.view(batch, 1)).view(batch);
        var offView = spawning.logical_and(spotRoom.ne(room)).logical_and(knownSpot);
        var remembered = WorldMap.Room(rooms, spotRoom);
        var updaterInput = cat([LatentCodec.Classes(remembered, LearnedGeometry.CellClasses), Spot(localRow.Times(View).Plus(localCol), offView, View).unsqueeze(1)], 1);
        var updated = _network.Updater.forward(updaterInput).argmax(1).to(ScalarType.Byte);
        rooms = WorldMap.WithRoom(rooms, spotRoom, updated, offView);

        var viewCells = WorldMap.Room(rooms, newRoom);
        // Entering a room, the camera's avatar stands where it stepped; everyone else is out of view.
        var worldRow = roomRow.Times(View).Plus(row).Plus(-1L);
        var worldCol = roomCol.Times(View).Plus(col).Plus(-1L);
        var lastViewCell = Of(View - 1);
        var entryIndex = worldRow.sub(newRoom.floor_divide(Of(LearnedGeometry.RoomsPerSide)).Times(View)).clamp(Zero, lastViewCell).Times(View)
            .Plus(worldCol.sub(newRoom.remainder(Of(LearnedGeometry.RoomsPerSide)).Times(View)).clamp(Zero, lastViewCell));
        var entered = Spot(entryIndex, moved, View).to(ScalarType.Byte);
        var stayed = nextAvatars.narrow(1, 1, View).narrow(2, 1, View);
        var viewAvatars = where(moved.view(batch, 1, 1), entered, stayed);

        var newView = stack([viewCells, viewAvatars], 1);
        var oldView = stack([cells, avatars], 1);
        var shifted = cat([oldView.unsqueeze(1), context.narrow(1, 0, LearnedGeometry.ContextLength - 1)], 1);
        var fresh = stack(Enumerable.Repeat(newView, LearnedGeometry.ContextLength), 1);
        var newContext = where(moved.view(batch, 1, 1, 1, 1), fresh, shifted);

        // One write per room, in room order: every known room whose cells changed (the spawn-updated room, the room just
        // left, a neighbour whose door the camera's player toggled across the doorway, seen in the border) and the room in
        // view. A border change not written back would be forgotten at the next step, when the border is read from memory again.
        var ids = TensorOps.Range(LearnedGeometry.Rooms, device).view(1, -1).expand(batch, -1);
        var changed = rooms.ne(roomsBefore).flatten(2).any(2);
        var write = known.logical_and(changed).logical_or(ids.eq(newRoom.view(batch, 1)));
        var keys = where(write, ids, full([batch, LearnedGeometry.Rooms], Of(-1L), ScalarType.Int64, device));
        var frames = Decode(viewCells, viewAvatars);
        return new StepOutput([viewCells, viewAvatars, newContext, newRoom.view(batch, 1), next.view(batch, 1)], frames, new MemoryWrite(keys, rooms));
    }

    // A float map [B, size, size] with 1 at flat index[b] where on[b].
    private static Tensor Spot(Tensor index, Tensor on, int size) =>
        nn.functional.one_hot(index.clamp(Zero, Of((size * size) - 1)), size * size).to(ScalarType.Float32)
            .mul(on.to(ScalarType.Float32).unsqueeze(1)).view(-1, size, size);

    private static Tensor Twice(Tensor t) => cat([t, t], 0);

    private static StepOutput Keep(Tensor[] state, Tensor frames, Tensor keys, Tensor entries) =>
        new([.. state.Select(t => t.contiguous().MoveToOuterDisposeScope())], frames.contiguous().MoveToOuterDisposeScope(),
            new MemoryWrite(keys.contiguous().MoveToOuterDisposeScope(), entries.contiguous().MoveToOuterDisposeScope()));
}
