using System.Security.Cryptography;
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
/// silo's <see cref="StepBatcher"/>. A tick counts once its journal record is appended (conditionally, so a second
/// activation of the same world can never extend the same history); snapshots bound recovery and make forks cheap.
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
    private readonly Guid _activation = Guid.NewGuid();
    private readonly WorldOptions _options = options.Value;
    // Real-time ticks computed but not yet in the journal, oldest first, each with the state it reached.
    private readonly Queue<(TickRecord Record, WorldAtTick World)> _unwritten = new();
    private WorldHead? _head;
    private string? _headETag;
    private long _journalLength;
    private WorldAtTick? _world;
    private string? _digest;
    private string? _unusable;
    private StepBatcher? _batcher;
    private WorldSessions? _sessions;
    private FrameFanOut? _fanOut;
    private IGrainTimer? _timer;
    private int[] _lastActions = [];
    private TimeSpan _tickPeriod;
    private long _nextTickAt;
    private bool _stale;
    private long _durableTick;
    private Task? _writer;

    private string WorldKey => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _fanOut = new FrameFanOut(time, _options.ObserverExpiry, _options.FrameBuffer, logger);
        if (!WorldId.IsValid(WorldKey))
        {
            return;
        }
        var stored = await store.ReadHeadAsync(WorldKey, cancellationToken);
        if (stored is null)
        {
            return;
        }
        try
        {
            await Recover(stored, cancellationToken);
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
        StopTimer();
        if (_world is null)
        {
            return;
        }
        CountActive(_world.Model, -1);
        if (_sessions is not null)
        {
            metrics.Participants.WithLabels(_world.Model).Dec(_sessions.Participants.Count);
        }
        try
        {
            await DrainWrites().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("World {WorldId}: deactivating with ticks {From}..{To} not yet journaled (storage failing); they were never reported durable",
                WorldKey, _durableTick + 1, _world.Tick);
            // The writer stops after its current try: this activation is going away.
            _unwritten.Clear();
        }
        if (_options.SnapshotOnDeactivate && !_stale && _unwritten.Count == 0 && _head is not null && _world.Tick > _head.Base.Tick && reason.ReasonCode != DeactivationReasonCode.ApplicationError)
        {
            try
            {
                // Reactivation then needs no replay; if this fails, the journal still has every tick.
                await Snapshot(_world);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "World {WorldId}: snapshot on deactivation failed; the journal still holds tick {Tick}", WorldKey, _world.Tick);
            }
        }
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
        var hash = await PutSnapshot(world);
        var head = new WorldHead(WorldKey, manifest.Name, manifest.Version, request.Seed, players, tickHz, time.GetUtcNow(),
            [new SnapshotRef(0, hash, NewSegment(0))], ForkedFrom: null);
        await Start(head, world, batcher);
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
        var bytes = await store.ReadSnapshotAsync(origin.SnapshotHash)
            ?? throw new WorldRequestException(WorldErrorKind.Unprocessable, $"snapshot {origin.SnapshotHash} of world '{origin.WorldId}' is missing");
        WorldAtTick world;
        try
        {
            world = DecodeSnapshot(origin.WorldId, origin.SnapshotHash, bytes);
        }
        catch (CorruptWorldDataException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
        if (!batchers.TryGet($"{world.Model}@{world.ModelVersion}", out var batcher))
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, $"model {world.Model}@{world.ModelVersion} is not served here");
        }
        var head = new WorldHead(WorldKey, world.Model, world.ModelVersion, world.Seed, world.Players, tickHz, time.GetUtcNow(),
            [new SnapshotRef(world.Tick, origin.SnapshotHash, NewSegment(world.Tick))], origin);
        await Start(head, world, batcher);
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
        if (_head!.TickHz > 0)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict,
                $"world '{WorldKey}' ticks in real time at {_head.TickHz} Hz; players act through a session");
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
        if (ticket.Role == ParticipantRole.Player)
        {
            StartTimerIfPlayers();
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
        StopTimerIfNoPlayers();
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
            await DrainWritesOrUnavailable();
        }
        if (tick > world.Tick || tick < _head!.OldestReachableTick)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"world '{WorldKey}' can be forked at ticks {_head!.OldestReachableTick}..{world.Tick}, not at {tick}");
        }
        var hash = await SnapshotHashAt(tick);
        RequestContext.Set(ModelAwarePlacement.ModelKey, $"{world.Model}@{world.ModelVersion}");
        return await GrainFactory.GetGrain<IWorldGrain>(request.NewWorldId).CreateForkAsync(new ForkOrigin(WorldKey, tick, hash), _head.TickHz);
    }

    /// <inheritdoc />
    public async Task DeleteAsync()
    {
        if (_world is null && _unusable is null)
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"world '{WorldKey}' does not exist");
        }
        StopTimer();
        // Ticks not yet written die with the world; a write in flight finishes first so no segment outlives the delete.
        _unwritten.Clear();
        await DrainWrites();
        try
        {
            // An unreadable world can be deleted too (an operator's decision); then whatever head is stored goes.
            if (!await store.DeleteWorldAsync(WorldKey, _unusable is null ? _headETag : null))
            {
                throw new WorldRequestException(WorldErrorKind.NotFound, $"world '{WorldKey}' does not exist");
            }
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        if (_world is not null)
        {
            CountActive(_world.Model, -1);
            metrics.Participants.WithLabels(_world.Model).Dec(_sessions?.Participants.Count ?? 0);
        }
        logger.LogInformation("Deleted world {WorldId}", WorldKey);
        (_world, _head, _headETag, _digest, _unusable, _sessions) = (null, null, null, null, null, null);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task<WorldInfo> FlushAsync()
    {
        RequireWorld();
        await DrainWritesOrUnavailable();
        if (_world!.Tick > _head!.Base.Tick)
        {
            await Snapshot(_world);
        }
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
        var digest = Digest(stepped);
        // A model that cannot be replayed bit for bit journals its state, so recovery never recomputes it.
        var carry = !batcher.Manifest.BatchInvariant;
        var record = new TickRecord(stepped.Tick, actions, digest, carry ? next.State : null, carry ? next.Frame : null);
        if (!inBackground)
        {
            await Append(JournalCodec.Encode(record));
            _durableTick = stepped.Tick;
        }
        _world = stepped;
        _digest = digest;
        _lastActions = actions;
        metrics.Ticks.WithLabels(world.Model).Inc();
        if (inBackground)
        {
            _unwritten.Enqueue((record, stepped));
            if (_writer is null || _writer.IsCompleted)
            {
                _writer = WriteUnwritten();
            }
        }
        else if (stepped.Tick - _head!.Base.Tick >= _options.SnapshotEvery)
        {
            await Snapshot(stepped);
        }
        var update = CurrentUpdate();
        var sent = _fanOut!.Publish(update);
        metrics.FramesPublished.WithLabels(world.Model).Inc(sent);
        return update;
    }

    private async Task OnRealtimeTick(CancellationToken cancellationToken)
    {
        if (_world is null || _sessions is null || _timer is null)
        {
            return;
        }
        EndExpiredSessions();
        if (_sessions.PlayerCount == 0)
        {
            StopTimer();
            return;
        }
        var model = _world.Model;
        var due = _nextTickAt;
        metrics.TickLateness.WithLabels(model).Observe(Math.Max(0, time.GetElapsedTime(due).TotalSeconds));
        if (_unwritten.Count >= _options.MaxUnwrittenTicks)
        {
            // Storage has been failing for a while: pause rather than hold an unbounded history nobody could recover.
            metrics.TicksSkipped.WithLabels(model).Inc();
            ScheduleNextTick();
            return;
        }
        try
        {
            var forward = 0.0;
            await Advance(_sessions.TakeActions(), inBackground: true, s => forward = s);
            ObserveTick(model, time.GetElapsedTime(due), forward);
        }
        catch (WorldRequestException e) when (e.Kind is WorldErrorKind.Unavailable or WorldErrorKind.ModelFailed)
        {
            // The batcher or the store is saturated, or the model failed this tick: it is skipped, the next one tries again.
            metrics.TicksSkipped.WithLabels(_world.Model).Inc();
            logger.LogWarning("World {WorldId}: tick skipped: {Reason}", WorldKey, e.Message);
        }
        ScheduleNextTick();
    }

    // What a real-time tick cost from its due time to its frame handed out, and how much of it was the model.
    private void ObserveTick(string model, TimeSpan elapsed, double forwardSeconds)
    {
        var seconds = Math.Max(0, elapsed.TotalSeconds);
        metrics.TickSeconds.WithLabels(model).Observe(seconds);
        metrics.TickForwardSeconds.WithLabels(model).Observe(forwardSeconds);
        metrics.TickOverheadSeconds.WithLabels(model).Observe(Math.Max(0, seconds - forwardSeconds));
        if (elapsed > _tickPeriod)
        {
            metrics.TicksLate.WithLabels(model).Inc();
        }
    }

    private void StartTimerIfPlayers()
    {
        if (_timer is not null || _head is not { TickHz: > 0 } || _sessions is not { PlayerCount: > 0 })
        {
            return;
        }
        _tickPeriod = TimeSpan.FromSeconds(1.0 / _head.TickHz);
        _nextTickAt = time.GetTimestamp() + (long)(_tickPeriod.TotalSeconds * time.TimestampFrequency);
        // One-shot, re-armed after each tick against a fixed schedule: a periodic grain timer counts its period from the end
        // of the previous callback, so step time would otherwise stretch every tick.
        _timer = this.RegisterGrainTimer(OnRealtimeTick, new GrainTimerCreationOptions(_tickPeriod, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
    }

    private void ScheduleNextTick()
    {
        if (_timer is null)
        {
            return;
        }
        var period = (long)(_tickPeriod.TotalSeconds * time.TimestampFrequency);
        var now = time.GetTimestamp();
        _nextTickAt += period;
        if (_nextTickAt < now - period)
        {
            // More than a tick behind (a stall): don't burst to catch up, restart the schedule from now.
            _nextTickAt = now;
        }
        var due = _nextTickAt > now ? time.GetElapsedTime(now, _nextTickAt) : TimeSpan.Zero;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void StopTimerIfNoPlayers()
    {
        if (_sessions is not { PlayerCount: > 0 })
        {
            StopTimer();
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
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

    // ---- durability ----

    private async Task Start(WorldHead head, WorldAtTick world, StepBatcher batcher)
    {
        try
        {
            _headETag = await store.WriteHeadAsync(WorldKey, WorldHeadCodec.Encode(head), ifMatch: null);
        }
        catch (WorldStoreConflictException)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' already exists");
        }
        _head = head;
        _journalLength = 0;
        _batcher = batcher;
        _world = world;
        _durableTick = world.Tick;
        _digest = Digest(world);
        _fanOut!.Remember(CurrentUpdate());
        CountActive(world.Model, +1);
    }

    private async Task Recover(StoredHead stored, CancellationToken cancellationToken)
    {
        var head = WorldHeadCodec.Decode(WorldKey, stored.Content);
        if (!batchers.TryGet($"{head.Model}@{head.ModelVersion}", out var batcher))
        {
            throw new CorruptWorldDataException(WorldKey, $"it needs model {head.Model}@{head.ModelVersion}, which this silo does not serve");
        }
        _batcher = batcher;
        var (world, journal, torn) = await Load(head, head.Base, upToTick: null, cancellationToken);
        // Fence the segment: from here on, an older activation's appends to it fail instead of extending a history we no longer read.
        try
        {
            _journalLength = await store.AppendJournalAsync(WorldKey, head.Base.Segment,
                JournalCodec.Encode(new FenceRecord(_activation, world.Tick)), journal, cancellationToken);
        }
        catch (WorldStoreConflictException e)
        {
            metrics.StorageErrors.WithLabels("conflict").Inc();
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' changed while it was being loaded ({e.Message}); retry");
        }
        _head = head;
        _headETag = stored.ETag;
        _world = world;
        _durableTick = world.Tick;
        _digest = Digest(world);
        _fanOut!.Remember(CurrentUpdate());
        CountActive(world.Model, +1);
        if (torn)
        {
            // The segment ends in an append a crash cut short (never acknowledged). Continue in a fresh segment from a snapshot.
            metrics.StorageErrors.WithLabels("torn_tail").Inc();
            logger.LogWarning("World {WorldId}: journal segment {Segment} ends in a torn record; starting a new segment at tick {Tick}", WorldKey, head.Base.Segment, world.Tick);
            await Snapshot(world);
        }
        logger.LogInformation("World {WorldId} recovered at tick {Tick} (snapshot {SnapshotTick} + journal)", WorldKey, world.Tick, head.Base.Tick);
    }

    // Loads a snapshot and replays its journal segment, up to a tick or to its end; returns the state and the segment's length.
    private async Task<(WorldAtTick World, long JournalLength, bool TornTail)> Load(WorldHead head, SnapshotRef from, long? upToTick, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadSnapshotAsync(from.Hash, cancellationToken)
            ?? throw new CorruptWorldDataException(WorldKey, $"its snapshot {from.Hash} (tick {from.Tick}) is missing");
        var world = DecodeSnapshot(WorldKey, from.Hash, bytes);
        if (world.Tick != from.Tick || world.Model != head.Model || world.Players != head.Players)
        {
            throw new CorruptWorldDataException(WorldKey, $"snapshot {from.Hash} does not match the world head");
        }
        var manifest = RequireBatcher().Manifest;
        try
        {
            world.State.Validate(manifest.StoredState);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptWorldDataException(WorldKey, e.Message, e);
        }
        var journal = await store.ReadJournalAsync(WorldKey, from.Segment, cancellationToken) ?? [];
        var tail = new JournalTail();
        foreach (var record in JournalCodec.Decode(WorldKey, from.Segment, journal, manifest.StoredState, tail))
        {
            if (record is not TickRecord tick)
            {
                continue;
            }
            world = await Replay(world, tick, manifest);
            if (world.Tick == upToTick)
            {
                // Stop here: what follows is not needed (and may end in a torn tail another activation already fenced off).
                break;
            }
        }
        if (upToTick is { } wanted && world.Tick != wanted)
        {
            throw new CorruptWorldDataException(WorldKey, $"tick {wanted} is not in its journal (it ends at tick {world.Tick})");
        }
        return (world, journal.Length, tail.Torn);
    }

    private async Task<WorldAtTick> Replay(WorldAtTick world, TickRecord record, ModelManifest manifest)
    {
        if (record.Tick != world.Tick + 1)
        {
            throw new CorruptWorldDataException(WorldKey, $"its journal jumps from tick {world.Tick} to {record.Tick}");
        }
        WorldAtTick next;
        if (record.State is not null)
        {
            next = world with { Tick = record.Tick, State = record.State, Frame = record.Frame! };
        }
        else if (manifest.BatchInvariant)
        {
            var result = await RunModel(() => RequireBatcher().StepAsync(world.State, record.Actions, WorldKey));
            next = world with { Tick = record.Tick, State = result.State, Frame = result.Frame };
        }
        else
        {
            throw new CorruptWorldDataException(WorldKey, $"tick {record.Tick} has no stored state and model {manifest.Id} cannot be replayed exactly");
        }
        if (Digest(next) != record.Digest)
        {
            // Never continue from a state that differs from the one clients were told about.
            throw new CorruptWorldDataException(WorldKey, $"replaying tick {record.Tick} did not reproduce its recorded state digest");
        }
        return next;
    }

    private async Task Append(byte[] records)
    {
        var started = time.GetTimestamp();
        try
        {
            _journalLength = await store.AppendJournalAsync(WorldKey, _head!.Base.Segment, records, _journalLength);
            metrics.JournalSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        catch (Exception e) when (e is not WorldRequestException)
        {
            metrics.StorageErrors.WithLabels("journal").Inc();
            logger.LogWarning(e, "World {WorldId}: journal append failed", WorldKey);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{WorldKey}' could not store its tick; retry");
        }
    }

    // Writes queued real-time ticks in order (several per append while catching up), retrying with backoff and jitter while
    // storage fails, and snapshots every SnapshotEvery ticks. Only one runs per activation; a conflict ends it (stale).
    private async Task WriteUnwritten()
    {
        var backoff = new StorageBackoff(_options.StorageRetryDelay, _options.StorageRetryMaxDelay);
        WorldAtTick? snapshotDue = null;
        var failures = 0;
        while (!_stale && _head is not null && (snapshotDue is not null || _unwritten.Count > 0))
        {
            try
            {
                if (snapshotDue is not null)
                {
                    // Before any later tick: they belong to the segment this snapshot starts.
                    await Snapshot(snapshotDue);
                    snapshotDue = null;
                }
                else
                {
                    var (bytes, last) = NextAppend();
                    await Append(bytes);
                    while (_unwritten.TryPeek(out var written) && written.Record.Tick <= last.Tick)
                    {
                        _unwritten.Dequeue();
                    }
                    _durableTick = last.Tick;
                    if (last.Tick - _head!.Base.Tick >= _options.SnapshotEvery)
                    {
                        snapshotDue = last;
                    }
                }
                if (failures > 0)
                {
                    logger.LogInformation("World {WorldId}: storage writes succeed again after {Failures} failed tries; durable at tick {Tick}", WorldKey, failures, _durableTick);
                    failures = 0;
                }
            }
            catch (WorldRequestException e) when (e.Kind == WorldErrorKind.Conflict)
            {
                // Stale: another activation owns the world now. What is queued here must never be written.
                _unwritten.Clear();
                return;
            }
            catch (Exception e)
            {
                failures++;
                var wait = backoff.Delay(failures, Random.Shared);
                logger.LogDebug(e, "World {WorldId}: background write failed (try {Failures}); retrying in {Wait}", WorldKey, failures, wait);
                await Task.Delay(wait, time);
            }
        }
    }

    // The oldest queued ticks that fit one append, encoded, and the state the last of them reached.
    private (byte[] Bytes, WorldAtTick Last) NextAppend()
    {
        using var buffer = new MemoryStream();
        WorldAtTick? last = null;
        foreach (var (record, world) in _unwritten)
        {
            var encoded = JournalCodec.Encode(record);
            if (last is not null && buffer.Length + encoded.Length > WorldStoreLimits.MaxJournalAppendBytes)
            {
                break;
            }
            buffer.Write(encoded);
            last = world;
        }
        return (buffer.ToArray(), last!);
    }

    private async Task DrainWrites()
    {
        while (_writer is { IsCompleted: false } writer)
        {
            await writer;
        }
    }

    private async Task DrainWritesOrUnavailable()
    {
        try
        {
            await DrainWrites().WaitAsync(_options.StorageRetryMaxDelay * 2, time);
        }
        catch (TimeoutException)
        {
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{WorldKey}' is still writing ticks {_durableTick + 1}..{_world!.Tick} to storage; retry");
        }
    }

    private async Task Snapshot(WorldAtTick world)
    {
        var started = time.GetTimestamp();
        var hash = await PutSnapshot(world);
        var kept = _head!.Snapshots.TakeLast(Math.Max(1, _options.SnapshotHistory - 1)).ToList();
        var dropped = _head.Snapshots.Except(kept).ToList();
        var head = _head with { Snapshots = [.. kept, new SnapshotRef(world.Tick, hash, NewSegment(world.Tick))] };
        try
        {
            _headETag = await store.WriteHeadAsync(WorldKey, WorldHeadCodec.Encode(head), _headETag);
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        catch (Exception e) when (e is not WorldRequestException and not ArgumentException)
        {
            metrics.StorageErrors.WithLabels("head").Inc();
            logger.LogWarning(e, "World {WorldId}: head write failed; the journal still holds tick {Tick}", WorldKey, world.Tick);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{WorldKey}' could not store its head; retry");
        }
        _head = head;
        _journalLength = 0;
        metrics.SnapshotSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
        foreach (var old in dropped)
        {
            try
            {
                await store.DeleteJournalAsync(WorldKey, old.Segment);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "World {WorldId}: could not delete old journal segment {Segment}", WorldKey, old.Segment);
            }
        }
    }

    private async Task<string> SnapshotHashAt(long tick)
    {
        if (tick == _world!.Tick)
        {
            return await PutSnapshot(_world);
        }
        var from = _head!.Snapshots.Last(s => s.Tick <= tick);
        if (from.Tick == tick)
        {
            return from.Hash;
        }
        try
        {
            var (world, _, _) = await Load(_head, from, tick, CancellationToken.None);
            return await PutSnapshot(world);
        }
        catch (CorruptWorldDataException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
    }

    private async Task<string> PutSnapshot(WorldAtTick world)
    {
        var bytes = WorldSnapshotFormat.Encode(world);
        var hash = WorldSnapshotFormat.Hash(bytes);
        try
        {
            await store.PutSnapshotAsync(hash, bytes);
        }
        catch (Exception e) when (e is not WorldRequestException and not ArgumentException)
        {
            metrics.StorageErrors.WithLabels("snapshot").Inc();
            logger.LogWarning(e, "World {WorldId}: snapshot write failed", WorldKey);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{WorldKey}' could not store its snapshot; retry");
        }
        return hash;
    }

    private static WorldAtTick DecodeSnapshot(string worldId, string hash, byte[] bytes)
    {
        if (WorldSnapshotFormat.Hash(bytes) != hash)
        {
            throw new CorruptWorldDataException(worldId, $"snapshot {hash} does not match its hash (damaged or truncated)");
        }
        return WorldSnapshotFormat.Decode(worldId, bytes);
    }

    private WorldRequestException Stale(WorldStoreConflictException e)
    {
        // Someone else wrote this world: this activation is stale. Never overwrite; step aside.
        metrics.StorageErrors.WithLabels("conflict").Inc();
        logger.LogWarning(e, "World {WorldId}: conditional write rejected; deactivating this stale activation", WorldKey);
        _stale = true;
        StopTimer();
        DeactivateOnIdle();
        return new WorldRequestException(WorldErrorKind.Conflict, $"world '{WorldKey}' was written by another activation; retry to reload it");
    }

    // ---- helpers ----

    private static string NewSegment(long tick) =>
        $"{tick:D12}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    private static string Digest(WorldAtTick world) =>
        StateDigest.Compute($"{world.Model}@{world.ModelVersion}", world.Tick, world.Players, world.State);

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
        return new WorldObservation(world.Tick, _digest!, _durableTick, Frame(world), scores, PlayerScores.Delta(scoresBefore, scores));
    }

    private FrameUpdate CurrentUpdate() => new(WorldKey, _world!.Tick, _digest!, _durableTick, Frame(_world), _lastActions);

    private WorldInfo Info()
    {
        var world = _world!;
        return new WorldInfo(WorldKey, world.Model, world.ModelVersion, world.Tick, world.Players, _digest!,
            _head!.TickHz, _durableTick, _head.ForkedFrom, Ticking: _timer is not null, Silo: localSilo.SiloAddress.ToString());
    }
}
