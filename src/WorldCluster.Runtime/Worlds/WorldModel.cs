using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// A world's model as its grain calls it: the silo's <see cref="StepBatcher"/> for the model, with a full queue answered as
/// <see cref="WorldErrorKind.Unavailable"/> and a failed step as <see cref="WorldErrorKind.ModelFailed"/>.
/// </summary>
internal sealed class WorldModel(StepBatcher batcher, string worldId)
{
    /// <summary>The model's manifest.</summary>
    public ModelManifest Manifest => batcher.Manifest;

    /// <summary>The model's action space as actions are checked against it.</summary>
    public Contracts.ActionSpaceInfo Actions { get; } = batcher.Manifest.ActionSpace.ToWire();

    /// <summary>True when the model's batches run on the CPU.</summary>
    public bool OnCpu => batcher.OnCpu;

    /// <summary>Bytes of one world's state.</summary>
    public long StateBytes => batcher.StateBytesPerWorld;

    /// <summary>The first state and frame of a new world.</summary>
    public Task<ModelStepResult> InitAsync(WorldSeed seed) => Call(() => batcher.InitAsync(seed, worldId));

    /// <summary>One step from <paramref name="state"/> with one action per player slot, on host bytes (replay uses it).</summary>
    public Task<ModelStepResult> StepAsync(WorldState state, int[] actions) => Call(() => batcher.StepAsync(state, actions, worldId));

    /// <summary>One tick from the state at <paramref name="tick"/> (host bytes, or <see cref="WorldState.Resident"/>) whose next state stays with the batcher.</summary>
    /// <exception cref="StateNotResidentException">The state was <see cref="WorldState.Resident"/> and the batcher does not hold it.</exception>
    public Task<ModelStepResult> ResidentStepAsync(long tick, int players, WorldState state, int[] actions, bool wantHost) =>
        Call(() => batcher.ResidentStepAsync(worldId, tick, players, state, actions, wantHost));

    /// <summary>A host copy of the state the batcher holds for this world at <paramref name="tick"/>; null when it holds no such state.</summary>
    public async Task<WorldState?> ReadStateAsync(long tick)
    {
        try
        {
            return await batcher.ReadStateAsync(worldId, tick);
        }
        catch (ObjectDisposedException)
        {
            // The silo is stopping and its batcher went first: what it held went with it.
            return null;
        }
    }

    /// <summary>Frees the state the batcher holds for this world (nothing to do once the batcher itself is gone).</summary>
    public async Task EvictAsync()
    {
        try
        {
            await batcher.EvictAsync(worldId);
        }
        catch (ObjectDisposedException)
        {
            // Disposing the batcher freed every state it held.
        }
    }

    /// <summary>What the world's journal needs to replay ticks with this model.</summary>
    public ReplayModel ForReplay() => new(Manifest, StepAsync);

    private static async Task<ModelStepResult> Call(Func<Task<ModelStepResult>> call)
    {
        try
        {
            return await call();
        }
        catch (StepQueueFullException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unavailable, e.Message);
        }
        catch (ModelStepException e)
        {
            throw new WorldRequestException(WorldErrorKind.ModelFailed, e.Message);
        }
    }
}
