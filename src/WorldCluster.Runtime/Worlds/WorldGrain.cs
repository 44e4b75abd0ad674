using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Storage;
using ActionWords = WorldCluster.Contracts.ActionWords;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// One persistent world. The grain decides which tick comes next and with which actions; the model work runs on the
/// silo's <see cref="StepBatcher"/>, real-time ticks are timed by a <see cref="RealtimeTicker"/>, and the world's history
/// is kept by a <see cref="WorldJournal"/>. A tick counts once its journal record is appended.
/// </summary>
/// <remarks>
/// This file holds creating, stepping, observing, forking and deleting a world, with their validation, and the tick path;
/// <c>WorldGrain.Activation.cs</c> how an activation takes up its world and lets it go; <c>WorldGrain.Sessions.cs</c>
/// sessions, real-time ticks and frame observers; <c>WorldGrain.Migration.cs</c> moving a live world to another silo.
/// </remarks>
[ModelAwarePlacement]
public sealed partial class WorldGrain(
    IWorldStore store,
    StepBatchers batchers,
    IOptions<WorldOptions> options,
    TimeProvider time,
    WorldClusterMetrics metrics,
    ActiveWorldCounter activeWorlds,
    ILocalSiloDetails localSilo,
    ILogger<WorldGrain> logger) : Grain, IWorldGrain
{
    private readonly WorldOptions _options = options.Value;
    private WorldJournal? _journal;
    private RealtimeTicker? _ticker;
    private SiloFanOut? _fanOut;
    private WorldSessions? _sessions;
    private DateTimeOffset _slotsHeldUntil;
    private WorldModel? _model;
    private WorldAtTick? _world;
    private string? _digest;
    private int[]? _scores;
    private long _steppedAt;
    private string? _unusable;
    private int[] _lastActions = [];
    // Stamped on every frame update, so relays can tell this activation from the one before (FrameUpdate.Activation).
    private readonly Guid _activation = Guid.NewGuid();
    private long _startTick;

    private string WorldKey => this.GetPrimaryKeyString();

    private WorldHead Head => _journal!.Head!;

    /// <inheritdoc />
    public async Task<WorldInfo> CreateAsync(CreateWorldRequest request)
    {
        ThrowIfUnusable();
        if (!WorldId.IsValid(WorldKey))
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"'{WorldKey}' is not a valid world id");
        }
        ThrowIfExists();
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
        var tickHz = request.TickHz ?? 0;
        if (tickHz < 0 || tickHz > _options.MaxTickHz)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"tickHz must be between 0 (on demand) and {_options.MaxTickHz}, not {tickHz}");
        }
        await Admit(batcher);
        var model = new WorldModel(batcher, WorldKey);
        var first = await model.InitAsync(new WorldSeed(request.Seed, players));
        var world = new WorldAtTick(manifest.Name, manifest.Version, request.Seed, players, Tick: 0, first.State, first.Frame, manifest.Observation);
        await Start(world, tickHz, forkedFrom: null, model);
        logger.LogInformation("Created world {WorldId} of {Model} (seed {Seed}, {Players} players, {TickHz} Hz)", WorldKey, manifest.Id, request.Seed, players, tickHz);
        return Info(world);
    }

    /// <inheritdoc />
    public async Task<WorldInfo> CreateForkAsync(ForkOrigin origin, int tickHz)
    {
        ThrowIfUnusable();
        ThrowIfExists();
        var world = await _journal!.ReadForkOriginAsync(origin);
        if (!batchers.TryGet($"{world.Model}@{world.ModelVersion}", out var batcher))
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, $"model {world.Model}@{world.ModelVersion} is not served here");
        }
        await Admit(batcher);
        await Start(world, tickHz, origin, new WorldModel(batcher, WorldKey));
        logger.LogInformation("Forked world {WorldId} from {Source} at tick {Tick}", WorldKey, origin.WorldId, origin.Tick);
        return Info(world);
    }

    /// <inheritdoc />
    public Task<WorldInfo> GetAsync() => Task.FromResult(Info(RequireWorld()));

    /// <inheritdoc />
    public async Task<StepResult> StepAsync(StepRequest request)
    {
        var world = RequireWorld();
        if (Head.TickHz > 0)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict,
                $"world '{WorldKey}' ticks in real time at {Head.TickHz} Hz; players act through a session");
        }
        if (ActionWords.Read(request.Actions, request.Json, world.Players, RequireModel().Actions, out var words) is { } wrong)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, wrong);
        }
        var update = await Advance(words, inBackground: false);
        return new StepResult(update.Tick, update.StateDigest, update.DurableTick);
    }

    /// <inheritdoc />
    public async Task<WorldObservation> StepObservedAsync(StepRequest request)
    {
        RequireWorld();
        var before = _scores;
        await StepAsync(request);
        return Observation(before);
    }

    /// <inheritdoc />
    public Task<WorldObservation> ObserveAsync()
    {
        RequireWorld();
        return Task.FromResult(Observation(_scores));
    }

    /// <inheritdoc />
    public Task<WorldFrame> GetFrameAsync() => Task.FromResult(Frame(RequireWorld()));

    /// <inheritdoc />
    public Task<FrameUpdate> GetLatestUpdateAsync() => Task.FromResult(CurrentUpdate(RequireWorld()));

    /// <inheritdoc />
    public async Task<WorldInfo> ForkAsync(ForkRequest request)
    {
        var world = RequireWorld();
        if (!WorldId.IsValid(request.NewWorldId) || request.NewWorldId == WorldKey)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"'{request.NewWorldId}' cannot be the id of a fork");
        }
        var tick = request.AtTick ?? world.Tick;
        if (tick != world.Tick)
        {
            // A past tick is rebuilt from the journal, so every tick up to it must be written first.
            await _journal!.DrainOrUnavailableAsync(world.Tick);
        }
        if (tick > world.Tick || tick < Head.OldestReachableTick)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"world '{WorldKey}' can be forked at ticks {Head.OldestReachableTick}..{world.Tick}, not at {tick}");
        }
        var hash = await _journal!.SnapshotHashAtAsync(tick == world.Tick ? await MaterializedAsync() : _world!, tick);
        RequestContext.Set(ModelAwarePlacement.ModelKey, $"{world.Model}@{world.ModelVersion}");
        return await GrainFactory.GetGrain<IWorldGrain>(request.NewWorldId).CreateForkAsync(new ForkOrigin(WorldKey, tick, hash), Head.TickHz);
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (_world is null && _unusable is null)
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"world '{WorldKey}' does not exist");
        }
        _ticker!.Stop();
        // An unreadable world can be deleted too (an operator's decision); then whatever head is stored goes.
        if (!await _journal!.DeleteAsync())
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"world '{WorldKey}' does not exist");
        }
        if (_world is not null)
        {
            CountActive(_world.Model, -1);
            metrics.Participants.WithLabels(_world.Model).Dec(_sessions?.Participants.Count ?? 0);
        }
        if (_model is not null)
        {
            await _model.EvictAsync();
        }
        logger.LogInformation("Deleted world {WorldId}", WorldKey);
        (_world, _digest, _unusable, _sessions) = (null, null, null, null);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public Task StateSpilledAsync()
    {
        // A world still being stepped (or ticking) comes back onto the device at its next step; an idle one goes to storage.
        if (_world is { State.IsResident: true } && !_ticker!.IsRunning && time.GetElapsedTime(_steppedAt) >= batchers.Budget.Options.AdmissionWindow)
        {
            logger.LogDebug("World {WorldId} was spilled and is idle: deactivating, so its state goes to storage", WorldKey);
            DeactivateOnIdle();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<WorldInfo> FlushAsync()
    {
        RequireWorld();
        await _journal!.FlushAsync(await MaterializedAsync());
        return Info(_world!);
    }

    // ---- the tick path ----

    // On-demand steps (inBackground false) are journaled before they count: a failed append leaves the world unchanged.
    // Real-time ticks go on while storage is slow or down: they queue for the background writer and become durable when written.
    // The state stays with the batcher between ticks (docs/durability.md, "Resident state"); host bytes come back only
    // when the journal carries states (a model that is not batch-invariant) or a snapshot is due.
    private async Task<FrameUpdate> Advance(int[] actions, bool inBackground, Action<double>? forwardSeconds = null)
    {
        var world = _world!;
        var model = RequireModel();
        // A model that cannot be replayed bit for bit journals its state, so recovery never recomputes it.
        var carry = !model.Manifest.BatchInvariant;
        var next = await ResidentStep(model, world, actions, wantHost: carry || _journal!.SnapshotDue(world.Tick + 1));
        forwardSeconds?.Invoke(next.ForwardSeconds);
        var stepped = world with { Tick = world.Tick + 1, State = next.State, Frame = next.Frame };
        var digest = next.Digest ?? StateDigest.Of(stepped);
        var record = new TickRecord(stepped.Tick, actions, digest, carry ? next.State : null, carry ? next.Frame : null);
        if (!inBackground)
        {
            try
            {
                await _journal!.AppendAsync(record);
            }
            catch when (world.State.IsResident)
            {
                // The batcher holds the tick that did not count, and no longer the one the world stays at: take the
                // world up again from its journal on the next call.
                DeactivateOnIdle();
                throw;
            }
        }
        (_world, _digest, _lastActions, _steppedAt) = (stepped, digest, actions, time.GetTimestamp());
        _scores = next.Scores is { } scores ? PlayerScores.Read(new WorldState([scores]), world.Players)
            : next.State.IsResident ? null : PlayerScores.Read(next.State, world.Players);
        metrics.Ticks.WithLabels(world.Model).Inc();
        if (inBackground)
        {
            _journal!.Enqueue(record, stepped);
        }
        else
        {
            await _journal!.SnapshotIfDueAsync(stepped);
        }
        var update = CurrentUpdate(stepped);
        metrics.FramesPublished.WithLabels(world.Model).Inc(_fanOut!.Publish(update));
        return update;
    }

    private async Task<ModelStepResult> ResidentStep(WorldModel model, WorldAtTick world, int[] actions, bool wantHost)
    {
        if (!KeepsResident(model))
        {
            return await model.StepAsync(world.State, actions);
        }
        try
        {
            return await model.ResidentStepAsync(world.Tick, world.Players, world.State, actions, wantHost);
        }
        catch (StateNotResidentException e)
        {
            _ticker!.Stop();
            DeactivateOnIdle();
            throw new WorldRequestException(WorldErrorKind.Unavailable, e.Message);
        }
    }

    // The world with its state as host bytes, read from the batcher if it holds them (for a snapshot, a fork, a move).
    private async Task<WorldAtTick> MaterializedAsync()
    {
        var world = _world!;
        if (!world.State.IsResident)
        {
            return world;
        }
        var state = await RequireModel().ReadStateAsync(world.Tick)
            ?? throw new WorldRequestException(WorldErrorKind.Unavailable, $"the model's batcher no longer holds world '{WorldKey}' at tick {world.Tick}; retry");
        var materialized = world with { State = state };
        if (ReferenceEquals(_world, world))
        {
            // Later steps then start from these bytes; the batcher keeps the same state, so nothing changes but the copy.
            _world = materialized;
        }
        return materialized;
    }

    // A new world is refused while the worlds stepping here already fill the silo's resident state budget: nothing is stored.
    private async Task Admit(StepBatcher batcher)
    {
        if (!await batchers.AdmitsAsync(batcher))
        {
            var retry = batchers.Budget.Options.AdmissionRetryAfterSeconds;
            throw new WorldRequestException(WorldErrorKind.Unavailable,
                $"this silo's resident state budget ({batchers.Budget.BudgetBytes} bytes) is taken by worlds stepping now; retry in {retry} s")
            {
                RetryAfterSeconds = retry,
            };
        }
    }

    // ---- helpers ----

    // On the CPU without a budget a small state is cheaper to copy each tick than to keep; a budget needs every state counted.
    private bool KeepsResident(WorldModel model) =>
        _options.ResidentState && (batchers.Budget.BudgetBytes > 0 || !model.OnCpu || model.StateBytes >= _options.ResidentStateMinBytes);

    private WorldModel RequireModel() =>
        _model ?? throw new WorldRequestException(WorldErrorKind.Unprocessable, $"world '{WorldKey}' has no model loaded");

    private WorldAtTick RequireWorld()
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

    private void ThrowIfExists()
    {
        if (_world is not null)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' already exists");
        }
    }

    // ---- what clients see ----

    private static WorldFrame Frame(WorldAtTick world) =>
        new(world.Tick, world.FrameShape.Channels, world.FrameShape.Height, world.FrameShape.Width, world.Frame);

    private WorldObservation Observation(int[]? scoresBefore)
    {
        return new WorldObservation(_world!.Tick, _digest!, _journal!.DurableTick, Frame(_world), _scores, PlayerScores.Delta(scoresBefore, _scores));
    }

    private FrameUpdate CurrentUpdate(WorldAtTick world) => new(WorldKey, world.Tick, _digest!, _journal!.DurableTick, Frame(world), _lastActions, _activation, _startTick);

    private WorldInfo Info(WorldAtTick world) => new(WorldKey, world.Model, world.ModelVersion, world.Tick, world.Players, _digest!,
        Head.TickHz, _journal!.DurableTick, Head.ForkedFrom, Ticking: _ticker!.IsRunning, Silo: localSilo.SiloAddress.ToString());
}
