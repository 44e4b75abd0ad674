using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// One persistent world. The grain decides which tick comes next and with which actions; the model work runs on the
/// silo's <see cref="StepBatcher"/>, real-time ticks are timed by a <see cref="RealtimeTicker"/>, and the world's history
/// is kept by a <see cref="WorldJournal"/>. A tick counts once its journal record is appended.
/// </summary>
[ModelAwarePlacement]
public sealed class WorldGrain(
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
    private WorldAtTick? _world;
    private string? _digest;
    private string? _unusable;
    private StepBatcher? _batcher;
    private WorldSessions? _sessions;
    private FrameFanOut? _fanOut;
    private int[] _lastActions = [];

    private string WorldKey => this.GetPrimaryKeyString();

    private WorldHead Head => _journal!.Head!;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _fanOut = new FrameFanOut(time, _options.ObserverExpiry, _options.FrameBuffer, logger);
        _ticker = new RealtimeTicker(this, time, metrics, OnRealtimeTick);
        _journal = new WorldJournal(store, WorldKey, _options, time, metrics, logger, onStale: () =>
        {
            _ticker.Stop();
            DeactivateOnIdle();
        });
        if (!WorldId.IsValid(WorldKey))
        {
            return;
        }
        try
        {
            var world = await _journal.RecoverAsync(head =>
            {
                var model = $"{head.Model}@{head.ModelVersion}";
                _batcher = batchers.TryGet(model, out var batcher)
                    ? batcher
                    : throw new CorruptWorldDataException(WorldKey, $"it needs model {model}, which this silo does not serve");
                return Replaying(batcher);
            }, cancellationToken);
            if (world is not null)
            {
                Serve(world);
            }
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
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ticker?.Stop();
        if (_world is null)
        {
            return;
        }
        CountActive(_world.Model, -1);
        if (_sessions is not null)
        {
            metrics.Participants.WithLabels(_world.Model).Dec(_sessions.Participants.Count);
        }
        await _journal!.CloseAsync(_world, snapshot: reason.ReasonCode != DeactivationReasonCode.ApplicationError, cancellationToken);
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
        var tickHz = request.TickHz ?? 0;
        if (tickHz < 0 || tickHz > _options.MaxTickHz)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"tickHz must be between 0 (on demand) and {_options.MaxTickHz}, not {tickHz}");
        }

        var first = await RunModel(() => batcher.InitAsync(new WorldSeed(request.Seed, players)));
        var world = new WorldAtTick(manifest.Name, manifest.Version, request.Seed, players, Tick: 0, first.State, first.Frame, manifest.Observation);
        await Start(world, tickHz, forkedFrom: null, batcher);
        logger.LogInformation("Created world {WorldId} of {Model} (seed {Seed}, {Players} players, {TickHz} Hz)", WorldKey, manifest.Id, request.Seed, players, tickHz);
        return Info();
    }

    /// <inheritdoc />
    public async Task<WorldInfo> CreateForkAsync(ForkOrigin origin, int tickHz)
    {
        ThrowIfUnusable();
        if (_world is not null)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' already exists");
        }
        var world = await _journal!.ReadForkOriginAsync(origin);
        if (!batchers.TryGet($"{world.Model}@{world.ModelVersion}", out var batcher))
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, $"model {world.Model}@{world.ModelVersion} is not served here");
        }
        await Start(world, tickHz, origin, batcher);
        logger.LogInformation("Forked world {WorldId} from {Source} at tick {Tick}", WorldKey, origin.WorldId, origin.Tick);
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
        if (Head.TickHz > 0)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict,
                $"world '{WorldKey}' ticks in real time at {Head.TickHz} Hz; players act through a session");
        }
        ValidateActions(request.Actions, world.Players, RequireBatcher().Manifest.ActionSpace);
        var update = await Advance([.. request.Actions], inBackground: false);
        return new StepResult(update.Tick, update.StateDigest, update.DurableTick);
    }

    /// <inheritdoc />
    public async Task<WorldObservation> StepObservedAsync(StepRequest request)
    {
        var world = RequireWorld();
        var before = PlayerScores.Read(world.State, world.Players);
        await StepAsync(request);
        return Observation(before);
    }

    /// <inheritdoc />
    public Task<WorldObservation> ObserveAsync()
    {
        var world = RequireWorld();
        return Task.FromResult(Observation(PlayerScores.Read(world.State, world.Players)));
    }

    /// <inheritdoc />
    public Task<WorldFrame> GetFrameAsync()
    {
        var world = RequireWorld();
        return Task.FromResult(Frame(world));
    }

    /// <inheritdoc />
    public Task<FrameUpdate> GetLatestUpdateAsync()
    {
        RequireWorld();
        return Task.FromResult(CurrentUpdate());
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FrameUpdate>> GetUpdatesAfterAsync(long tick)
    {
        RequireWorld();
        return Task.FromResult(_fanOut!.After(tick));
    }

    /// <inheritdoc />
    public Task<SessionTicket> JoinAsync(JoinRequest request)
    {
        var world = RequireWorld();
        var sessions = Sessions();
        sessions.EndExpired();
        var ticket = sessions.Join(request);
        metrics.Participants.WithLabels(world.Model).Inc();
        if (ticket.Role == ParticipantRole.Player && Head.TickHz > 0)
        {
            _ticker!.Start(Head.TickHz);
        }
        return Task.FromResult(ticket);
    }

    /// <inheritdoc />
    public Task LeaveAsync(Guid sessionId)
    {
        var world = RequireWorld();
        if (Sessions().Leave(sessionId))
        {
            metrics.Participants.WithLabels(world.Model).Dec();
        }
        if (Sessions().PlayerCount == 0)
        {
            _ticker!.Stop();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ActAsync(Guid sessionId, int action)
    {
        RequireWorld();
        var space = RequireBatcher().Manifest.ActionSpace;
        if (!space.Contains(action))
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"action {action} is outside the action space (discrete, 0..{space.N - 1})");
        }
        Sessions().Act(sessionId, action);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task KeepAliveAsync(Guid sessionId)
    {
        RequireWorld();
        Sessions().KeepAlive(sessionId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync()
    {
        RequireWorld();
        EndExpiredSessions();
        return Task.FromResult(Sessions().Participants);
    }

    /// <inheritdoc />
    public Task<FrameUpdate> SubscribeAsync(IWorldObserver observer)
    {
        RequireWorld();
        _fanOut!.Subscribe(observer);
        return Task.FromResult(CurrentUpdate());
    }

    /// <inheritdoc />
    public Task UnsubscribeAsync(IWorldObserver observer)
    {
        _fanOut!.Unsubscribe(observer);
        return Task.CompletedTask;
    }

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
        var hash = await _journal!.SnapshotHashAtAsync(_world!, tick);
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
        logger.LogInformation("Deleted world {WorldId}", WorldKey);
        (_world, _digest, _unusable, _sessions) = (null, null, null, null);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task<WorldInfo> FlushAsync()
    {
        RequireWorld();
        await _journal!.FlushAsync(_world!);
        return Info();
    }

    // ---- the tick path ----

    // On-demand steps (inBackground false) are journaled before they count: a failed append leaves the world unchanged.
    // Real-time ticks go on while storage is slow or down: they queue for the background writer and become durable when written.
    private async Task<FrameUpdate> Advance(int[] actions, bool inBackground, Action<double>? forwardSeconds = null)
    {
        var world = _world!;
        var batcher = RequireBatcher();
        var next = await RunModel(() => batcher.StepAsync(world.State, actions, WorldKey));
        forwardSeconds?.Invoke(next.ForwardSeconds);
        var stepped = world with { Tick = world.Tick + 1, State = next.State, Frame = next.Frame };
        var digest = StateDigest.Of(stepped);
        // A model that cannot be replayed bit for bit journals its state, so recovery never recomputes it.
        var carry = !batcher.Manifest.BatchInvariant;
        var record = new TickRecord(stepped.Tick, actions, digest, carry ? next.State : null, carry ? next.Frame : null);
        if (!inBackground)
        {
            await _journal!.AppendAsync(record);
        }
        _world = stepped;
        _digest = digest;
        _lastActions = actions;
        metrics.Ticks.WithLabels(world.Model).Inc();
        if (inBackground)
        {
            _journal!.Enqueue(record, stepped);
        }
        else
        {
            await _journal!.SnapshotIfDueAsync(stepped);
        }
        var update = CurrentUpdate();
        var sent = _fanOut!.Publish(update);
        metrics.FramesPublished.WithLabels(world.Model).Inc(sent);
        return update;
    }

    private async Task OnRealtimeTick(CancellationToken cancellationToken)
    {
        if (_world is null || _sessions is null || !_ticker!.IsRunning)
        {
            return;
        }
        EndExpiredSessions();
        if (_sessions.PlayerCount == 0)
        {
            _ticker.Stop();
            return;
        }
        var model = _world.Model;
        var due = _ticker.ObserveStart(model);
        if (_journal!.UnwrittenCount >= _options.MaxUnwrittenTicks)
        {
            // Storage has been failing for a while: pause rather than hold an unbounded history nobody could recover.
            metrics.TicksSkipped.WithLabels(model).Inc();
            _ticker.ScheduleNext();
            return;
        }
        try
        {
            var forward = 0.0;
            await Advance(_sessions.TakeActions(), inBackground: true, s => forward = s);
            _ticker.ObserveTick(model, due, forward);
        }
        catch (WorldRequestException e) when (e.Kind is WorldErrorKind.Unavailable or WorldErrorKind.ModelFailed)
        {
            // The batcher or the store is saturated, or the model failed this tick: it is skipped, the next one tries again.
            metrics.TicksSkipped.WithLabels(_world.Model).Inc();
            logger.LogWarning("World {WorldId}: tick skipped: {Reason}", WorldKey, e.Message);
        }
        _ticker.ScheduleNext();
    }

    private void EndExpiredSessions()
    {
        var ended = Sessions().EndExpired();
        if (ended > 0)
        {
            metrics.Participants.WithLabels(_world!.Model).Dec(ended);
            logger.LogInformation("World {WorldId}: {Count} session(s) timed out", WorldKey, ended);
        }
    }

    // ---- helpers ----

    private async Task Start(WorldAtTick world, int tickHz, ForkOrigin? forkedFrom, StepBatcher batcher)
    {
        await _journal!.CreateAsync(world, tickHz, forkedFrom, Replaying(batcher));
        _batcher = batcher;
        Serve(world);
    }

    // From here on this activation serves the world at this state.
    private void Serve(WorldAtTick world)
    {
        _world = world;
        _digest = StateDigest.Of(world);
        _fanOut!.Remember(CurrentUpdate());
        CountActive(world.Model, +1);
    }

    private ReplayModel Replaying(StepBatcher batcher) =>
        new(batcher.Manifest, (state, actions) => RunModel(() => batcher.StepAsync(state, actions, WorldKey)));

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
        catch (ModelStepException e)
        {
            throw new WorldRequestException(WorldErrorKind.ModelFailed, e.Message);
        }
    }

    private void CountActive(string model, int change)
    {
        metrics.ActiveWorlds.WithLabels(model).Inc(change);
        if (change > 0)
        {
            activeWorlds.Add();
        }
        else
        {
            activeWorlds.Remove();
        }
    }

    private WorldSessions Sessions() =>
        _sessions ??= new WorldSessions(WorldKey, _world!.Players, time, _options.SessionTimeout);

    private StepBatcher RequireBatcher() =>
        _batcher ?? throw new WorldRequestException(WorldErrorKind.Unprocessable, $"world '{WorldKey}' has no model loaded");

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

    private static WorldFrame Frame(WorldAtTick world) =>
        new(world.Tick, world.FrameShape.Channels, world.FrameShape.Height, world.FrameShape.Width, world.Frame);

    private WorldObservation Observation(int[]? scoresBefore)
    {
        var world = _world!;
        var scores = PlayerScores.Read(world.State, world.Players);
        return new WorldObservation(world.Tick, _digest!, _journal!.DurableTick, Frame(world), scores, PlayerScores.Delta(scoresBefore, scores));
    }

    private FrameUpdate CurrentUpdate() => new(WorldKey, _world!.Tick, _digest!, _journal!.DurableTick, Frame(_world), _lastActions);

    private WorldInfo Info()
    {
        var world = _world!;
        return new WorldInfo(WorldKey, world.Model, world.ModelVersion, world.Tick, world.Players, _digest!,
            Head.TickHz, _journal!.DurableTick, Head.ForkedFrom, Ticking: _ticker!.IsRunning, Silo: localSilo.SiloAddress.ToString());
    }
}
