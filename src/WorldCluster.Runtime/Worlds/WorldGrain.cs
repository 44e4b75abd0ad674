using Microsoft.Extensions.Logging;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// One persistent world. The grain decides which tick comes next and with which actions; the model work runs on the
/// silo's <see cref="StepBatcher"/>; a tick counts only once its snapshot is written (conditionally, so a second
/// activation of the same world can never overwrite it).
/// </summary>
public sealed class WorldGrain(
    IWorldStore store,
    StepBatchers batchers,
    TimeProvider time,
    WorldClusterMetrics metrics,
    ILogger<WorldGrain> logger) : Grain, IWorldGrain
{
    private WorldSnapshot? _world;
    private string? _etag;
    private string? _digest;
    private string? _unusable;

    private string WorldKey => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!WorldId.IsValid(WorldKey))
        {
            return;
        }
        var stored = await store.ReadSnapshotAsync(WorldKey, cancellationToken);
        if (stored is null)
        {
            return;
        }
        try
        {
            var world = WorldSnapshotFormat.Decode(WorldKey, stored.Content);
            Commit(world, stored.ETag);
            metrics.ActiveWorlds.WithLabels(world.Model).Inc();
        }
        catch (CorruptWorldDataException e)
        {
            // Keep the stored bytes as they are: an operator may be able to repair them; a fresh world must never replace them.
            _unusable = e.Message;
            metrics.StorageErrors.WithLabels("corrupt").Inc();
            logger.LogError(e, "World {WorldId} has unusable stored data; refusing to serve it", WorldKey);
        }
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_world is not null)
        {
            metrics.ActiveWorlds.WithLabels(_world.Model).Dec();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<WorldInfo> CreateAsync(CreateWorldRequest request)
    {
        ThrowIfUnusable();
        if (!WorldId.IsValid(WorldKey))
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"'{WorldKey}' is not a valid world id");
        }
        if (_world is not null)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' already exists");
        }
        if (!batchers.TryGet(request.Model, out var batcher))
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"model '{request.Model}' is not served here");
        }
        var manifest = batcher.Manifest;
        var players = request.Players ?? manifest.MaxPlayers;
        if (players < 1 || players > manifest.MaxPlayers)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"players must be between 1 and {manifest.MaxPlayers} for model '{manifest.Name}', not {players}");
        }

        var first = await RunModel(() => batcher.InitAsync(new WorldSeed(request.Seed, players)));
        var world = new WorldSnapshot(
            WorldKey, manifest.Name, manifest.Version, request.Seed, players, Tick: 0, time.GetUtcNow(),
            first.State, first.Frame, manifest.Observation);
        var etag = await Persist(world, ifMatch: null);
        Commit(world, etag);
        metrics.ActiveWorlds.WithLabels(world.Model).Inc();
        logger.LogInformation("Created world {WorldId} of {Model} (seed {Seed}, {Players} players)", WorldKey, manifest.Id, request.Seed, players);
        return Info();
    }

    /// <inheritdoc />
    public Task<WorldInfo> GetAsync()
    {
        RequireWorld();
        return Task.FromResult(Info());
    }

    /// <inheritdoc />
    public async Task<StepResult> StepAsync(StepRequest request)
    {
        var world = RequireWorld();
        if (!batchers.TryGet(world.Model, out var batcher) || batcher.Manifest.Version != world.ModelVersion)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable,
                $"world '{WorldKey}' needs model {world.Model}@{world.ModelVersion}, which this silo does not serve");
        }
        ValidateActions(request.Actions, world.Players, batcher.Manifest.ActionSpace);

        var next = await RunModel(() => batcher.StepAsync(world.State, request.Actions));
        var stepped = world with { Tick = world.Tick + 1, State = next.State, Frame = next.Frame };
        var etag = await Persist(stepped, _etag);
        Commit(stepped, etag);
        metrics.Ticks.WithLabels(world.Model).Inc();
        return new StepResult(stepped.Tick, _digest!);
    }

    /// <inheritdoc />
    public Task<WorldFrame> GetFrameAsync()
    {
        var world = RequireWorld();
        return Task.FromResult(new WorldFrame(world.Tick, world.FrameShape.Channels, world.FrameShape.Height, world.FrameShape.Width, world.Frame));
    }

    private static void ValidateActions(IReadOnlyList<int>? actions, int players, ActionSpace space)
    {
        if (actions is null || actions.Count != players)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"expected {players} actions (one per player slot), got {actions?.Count ?? 0}");
        }
        for (var slot = 0; slot < actions.Count; slot++)
        {
            if (!space.Contains(actions[slot]))
            {
                throw new WorldRequestException(WorldErrorKind.BadRequest,
                    $"action {actions[slot]} of slot {slot} is outside the action space (discrete, 0..{space.N - 1})");
            }
        }
    }

    private static async Task<ModelStepResult> RunModel(Func<Task<ModelStepResult>> call)
    {
        try
        {
            return await call();
        }
        catch (StepQueueFullException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unavailable, e.Message);
        }
    }

    private async Task<string> Persist(WorldSnapshot world, string? ifMatch)
    {
        var started = time.GetTimestamp();
        try
        {
            var etag = await store.WriteSnapshotAsync(WorldKey, WorldSnapshotFormat.Encode(world), ifMatch);
            metrics.SnapshotSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
            return etag;
        }
        catch (WorldStoreConflictException e)
        {
            // Someone else wrote this world: this activation is stale. Never overwrite; step aside.
            metrics.StorageErrors.WithLabels("conflict").Inc();
            logger.LogWarning(e, "World {WorldId}: conditional write rejected (expected {ETag}); deactivating the stale activation", WorldKey, ifMatch);
            DeactivateOnIdle();
            throw new WorldRequestException(WorldErrorKind.Conflict,
                $"world '{WorldKey}' was written by another activation; retry to reload it");
        }
    }

    private void Commit(WorldSnapshot world, string etag)
    {
        _world = world;
        _etag = etag;
        _digest = StateDigest.Compute($"{world.Model}@{world.ModelVersion}", world.Tick, world.Players, world.State);
    }

    private WorldSnapshot RequireWorld()
    {
        ThrowIfUnusable();
        return _world ?? throw new WorldRequestException(WorldErrorKind.NotFound, $"world '{WorldKey}' does not exist");
    }

    private void ThrowIfUnusable()
    {
        if (_unusable is not null)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, $"world '{WorldKey}' cannot be loaded: {_unusable}");
        }
    }

    private WorldInfo Info()
    {
        var world = _world!;
        return new WorldInfo(world.WorldId, world.Model, world.ModelVersion, world.Tick, world.Players, _digest!);
    }
}
