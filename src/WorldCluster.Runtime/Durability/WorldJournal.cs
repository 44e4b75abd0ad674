using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// One world's durable history in an <see cref="IWorldStore"/>: its head (replaced conditionally on its ETag), the snapshots
/// it lists, and the journal segment of the ticks after the latest one (appended conditionally on the length last seen, so
/// a second activation of the same world can never extend the same history). Snapshots bound recovery and make forks cheap.
/// </summary>
/// <remarks>
/// Not thread-safe: calls and the background writer's continuations must run one at a time on the owner's scheduler (a
/// grain activation's), so nothing here leaves it with <c>ConfigureAwait(false)</c>. When a conditional write finds another
/// writer's version, this history is stale: <c>onStale</c> runs, nothing more is written, and the write throws a
/// <see cref="WorldErrorKind.Conflict"/> <see cref="WorldRequestException"/>; storage failures throw
/// <see cref="WorldErrorKind.Unavailable"/> ones, and unusable stored data <see cref="CorruptWorldDataException"/>.
/// </remarks>
public sealed class WorldJournal(
    IWorldStore store,
    string worldId,
    WorldOptions options,
    TimeProvider time,
    WorldClusterMetrics metrics,
    ILogger logger,
    Action onStale)
{
    private readonly Guid _activation = Guid.NewGuid();
    // Real-time ticks computed but not yet in the journal, oldest first, each with the state it reached.
    private readonly Queue<(TickRecord Record, WorldAtTick World)> _unwritten = new();
    // Snapshots (in the background) and bans both replace the head: one at a time, each from the head the other wrote.
    private Task _headWrite = Task.CompletedTask;
    private string? _headETag;
    private long _journalLength;
    private ReplayModel? _model;
    private Task? _writer;

    /// <summary>The world's head as last read or written; null before a world is created or recovered, and after it is deleted.</summary>
    public WorldHead? Head { get; private set; }

    /// <summary>The latest tick in the journal (or in the snapshot the world started from).</summary>
    public long DurableTick { get; private set; }

    /// <summary>Ticks queued by <see cref="Enqueue"/> and not yet written.</summary>
    public int UnwrittenCount => _unwritten.Count;

    /// <summary>True once a conditional write found that another writer owns the world.</summary>
    public bool IsStale { get; private set; }

    /// <summary>
    /// Stores the head of a new world (only if it has none yet) whose history starts at <paramref name="world"/>: a new
    /// world's first state, stored as a snapshot here, or a fork's, already stored under <see cref="ForkOrigin.SnapshotHash"/>.
    /// </summary>
    public async Task CreateAsync(WorldAtTick world, int tickHz, ForkOrigin? forkedFrom, ReplayModel model)
    {
        var hash = forkedFrom?.SnapshotHash ?? await PutSnapshotAsync(world);
        var head = new WorldHead(worldId, world.Model, world.ModelVersion, world.Seed, world.Players, tickHz, time.GetUtcNow(),
            [new SnapshotRef(world.Tick, hash, NewSegment(world.Tick))], forkedFrom);
        try
        {
            _headETag = await store.WriteHeadAsync(worldId, WorldHeadCodec.Encode(head), ifMatch: null);
        }
        catch (WorldStoreConflictException)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' already exists");
        }
        Head = head;
        _journalLength = 0;
        _model = model;
        DurableTick = world.Tick;
    }

    /// <summary>
    /// Loads the world at its latest journaled tick and fences its journal segment against older activations; null when the
    /// world has no head. <paramref name="model"/> picks the model of the head (or throws <see cref="CorruptWorldDataException"/>).
    /// </summary>
    public async Task<WorldAtTick?> RecoverAsync(Func<WorldHead, ReplayModel> model, CancellationToken cancellationToken)
    {
        var stored = await store.ReadHeadAsync(worldId, cancellationToken);
        if (stored is null)
        {
            return null;
        }
        var head = WorldHeadCodec.Decode(worldId, stored.Content);
        _model = model(head);
        var (world, journal, torn) = await new WorldReplay(store, worldId, _model).LoadAsync(head, head.Base, upToTick: null, cancellationToken);
        // Fence the segment: from here on, an older activation's appends to it fail instead of extending a history we no longer read.
        try
        {
            _journalLength = await store.AppendJournalAsync(worldId, head.Base.Segment,
                JournalCodec.Encode(new FenceRecord(_activation, world.Tick)), journal, cancellationToken);
        }
        catch (WorldStoreConflictException e)
        {
            metrics.StorageErrors.WithLabels("conflict").Inc();
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' changed while it was being loaded ({e.Message}); retry");
        }
        Head = head;
        _headETag = stored.ETag;
        DurableTick = world.Tick;
        if (torn)
        {
            // The segment ends in an append a crash cut short (never acknowledged). Continue in a fresh segment from a snapshot.
            metrics.StorageErrors.WithLabels("torn_tail").Inc();
            logger.LogWarning("World {WorldId}: journal segment {Segment} ends in a torn record; starting a new segment at tick {Tick}", worldId, head.Base.Segment, world.Tick);
            await SnapshotAsync(world);
        }
        logger.LogInformation("World {WorldId} recovered at tick {Tick} (snapshot {SnapshotTick} + journal)", worldId, world.Tick, head.Base.Tick);
        return world;
    }

    /// <summary>Reads and checks the snapshot a fork starts from; a missing or damaged one is <see cref="WorldErrorKind.Unprocessable"/>.</summary>
    public async Task<WorldAtTick> ReadForkOriginAsync(ForkOrigin origin)
    {
        var bytes = await store.ReadSnapshotAsync(origin.SnapshotHash)
            ?? throw new WorldRequestException(WorldErrorKind.Unprocessable, $"snapshot {origin.SnapshotHash} of world '{origin.WorldId}' is missing");
        try
        {
            return WorldReplay.DecodeSnapshot(origin.WorldId, origin.SnapshotHash, bytes);
        }
        catch (CorruptWorldDataException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
    }

    /// <summary>Appends one tick now; once this returns, the tick is durable (an on-demand step counts only then).</summary>
    public async Task AppendAsync(TickRecord record)
    {
        await AppendAsync(JournalCodec.Encode(record));
        DurableTick = record.Tick;
    }

    /// <summary>True when a world at <paramref name="tick"/> is due a snapshot: its state is needed as host bytes.</summary>
    public bool SnapshotDue(long tick) => Head is not null && tick - Head.Base.Tick >= options.SnapshotEvery;

    /// <summary>
    /// Whether a deactivation at <paramref name="tick"/> writes a snapshot: allowed, and at least
    /// <see cref="WorldOptions.SnapshotOnDeactivateMinTicks"/> ticks journaled since the latest one (fewer replay instead).
    /// </summary>
    public bool SnapshotOnDeactivate(long tick) =>
        options.SnapshotOnDeactivate && !IsStale && Head is not null && tick - Head.Base.Tick >= Math.Max(1, options.SnapshotOnDeactivateMinTicks);

    /// <summary>
    /// Writes a snapshot of <paramref name="world"/> when <see cref="WorldOptions.SnapshotEvery"/> ticks followed the last
    /// one and its state is host bytes (a resident state is snapshotted at a later tick, once materialized).
    /// </summary>
    public async Task SnapshotIfDueAsync(WorldAtTick world)
    {
        if (SnapshotDue(world.Tick) && !world.State.IsResident)
        {
            await SnapshotAsync(world);
        }
    }

    /// <summary>Queues a real-time tick (and the state it reached) for the background writer, starting it if it is idle.</summary>
    public void Enqueue(TickRecord record, WorldAtTick world)
    {
        _unwritten.Enqueue((record, world));
        if (_writer is null || _writer.IsCompleted)
        {
            _writer = WriteUnwritten();
        }
    }

    /// <summary>Waits until the background writer has nothing left to write (or stopped, stale).</summary>
    public async Task DrainAsync()
    {
        while (_writer is { IsCompleted: false } writer)
        {
            await writer;
        }
    }

    /// <summary>As <see cref="DrainAsync"/>, but gives up as <see cref="WorldErrorKind.Unavailable"/> while storage keeps failing.</summary>
    public async Task DrainOrUnavailableAsync(long currentTick)
    {
        try
        {
            await DrainAsync().WaitAsync(options.StorageRetryMaxDelay * 2, time);
        }
        catch (TimeoutException)
        {
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{worldId}' is still writing ticks {DurableTick + 1}..{currentTick} to storage; retry");
        }
    }

    /// <summary>Writes every queued tick, then a snapshot of <paramref name="world"/> if ticks followed the last one.</summary>
    public async Task FlushAsync(WorldAtTick world)
    {
        await DrainOrUnavailableAsync(world.Tick);
        if (world.Tick > Head!.Base.Tick)
        {
            await SnapshotAsync(world);
        }
    }

    /// <summary>
    /// For a deactivation: waits for queued ticks (until <paramref name="cancellationToken"/>; then they are dropped, never
    /// reported durable), then snapshots <paramref name="world"/> so reactivation needs no replay, when <paramref name="snapshot"/>
    /// and <see cref="SnapshotOnDeactivate(long)"/> allow it. A failed snapshot is logged; the journal has every tick.
    /// </summary>
    public async Task CloseAsync(WorldAtTick world, bool snapshot, CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("World {WorldId}: deactivating with ticks {From}..{To} not yet journaled (storage failing); they were never reported durable",
                worldId, DurableTick + 1, world.Tick);
            // The writer stops after its current try: this activation is going away.
            _unwritten.Clear();
        }
        if (snapshot && _unwritten.Count == 0 && SnapshotOnDeactivate(world.Tick) && !world.State.IsResident)
        {
            try
            {
                // Reactivation then needs no replay; if this fails, the journal still has every tick.
                await SnapshotAsync(world);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "World {WorldId}: snapshot on deactivation failed; the journal still holds tick {Tick}", worldId, world.Tick);
            }
        }
    }

    /// <summary>
    /// Deletes the world's head and journal (if the head is still the one this history holds; whatever head is stored when it
    /// holds none, as for a world that could not be loaded); queued ticks are dropped. False when there was no head.
    /// </summary>
    public async Task<bool> DeleteAsync()
    {
        // Ticks not yet written die with the world; a write in flight finishes first so no segment outlives the delete.
        _unwritten.Clear();
        await DrainAsync();
        bool deleted;
        try
        {
            deleted = await store.DeleteWorldAsync(worldId, _headETag);
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        if (deleted)
        {
            (Head, _headETag, _journalLength) = (null, null, 0);
        }
        return deleted;
    }

    /// <summary>The hash of a stored snapshot of the world at <paramref name="tick"/> (rebuilt from the journal if needed).</summary>
    public async Task<string> SnapshotHashAtAsync(WorldAtTick current, long tick)
    {
        if (tick == current.Tick)
        {
            return await PutSnapshotAsync(current);
        }
        var from = Head!.Snapshots.Last(s => s.Tick <= tick);
        if (from.Tick == tick)
        {
            return from.Hash;
        }
        try
        {
            var (world, _, _) = await new WorldReplay(store, worldId, _model!).LoadAsync(Head, from, tick, CancellationToken.None);
            return await PutSnapshotAsync(world);
        }
        catch (CorruptWorldDataException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
    }

    private async Task AppendAsync(byte[] records)
    {
        var started = time.GetTimestamp();
        try
        {
            _journalLength = await store.AppendJournalAsync(worldId, Head!.Base.Segment, records, _journalLength);
            metrics.JournalSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        catch (Exception e) when (e is not WorldRequestException)
        {
            metrics.StorageErrors.WithLabels("journal").Inc();
            logger.LogWarning(e, "World {WorldId}: journal append failed", worldId);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{worldId}' could not store its tick; retry");
        }
    }

    // Writes queued real-time ticks in order (several per append while catching up), retrying with backoff and jitter while
    // storage fails, and snapshots every SnapshotEvery ticks. Only one runs at a time; a conflict ends it (stale).
    private async Task WriteUnwritten()
    {
        var backoff = new StorageBackoff(options.StorageRetryDelay, options.StorageRetryMaxDelay);
        WorldAtTick? snapshotDue = null;
        var failures = 0;
        while (!IsStale && Head is not null && (snapshotDue is not null || _unwritten.Count > 0))
        {
            try
            {
                if (snapshotDue is not null)
                {
                    // Before any later tick: they belong to the segment this snapshot starts.
                    await SnapshotAsync(snapshotDue);
                    snapshotDue = null;
                }
                else
                {
                    var (bytes, last, lastHost) = NextAppend();
                    await AppendAsync(bytes);
                    while (_unwritten.TryPeek(out var written) && written.Record.Tick <= last.Tick)
                    {
                        _unwritten.Dequeue();
                    }
                    DurableTick = last.Tick;
                    // Only a tick whose state came back as host bytes can be snapshotted; the grain asks for them once one is due.
                    if (lastHost is not null && SnapshotDue(lastHost.Tick))
                    {
                        snapshotDue = lastHost;
                    }
                }
                if (failures > 0)
                {
                    logger.LogInformation("World {WorldId}: storage writes succeed again after {Failures} failed tries; durable at tick {Tick}", worldId, failures, DurableTick);
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
                logger.LogDebug(e, "World {WorldId}: background write failed (try {Failures}); retrying in {Wait}", worldId, failures, wait);
                await Task.Delay(wait, time);
            }
        }
    }

    // The oldest queued ticks that fit one append, encoded, the world the last of them reached, and the last of them
    // whose state is host bytes (null if all are resident).
    private (byte[] Bytes, WorldAtTick Last, WorldAtTick? LastHost) NextAppend()
    {
        using var buffer = new MemoryStream();
        WorldAtTick? last = null;
        WorldAtTick? lastHost = null;
        foreach (var (record, world) in _unwritten)
        {
            var encoded = JournalCodec.Encode(record);
            if (last is not null && buffer.Length + encoded.Length > WorldStoreLimits.MaxJournalAppendBytes)
            {
                break;
            }
            buffer.Write(encoded);
            last = world;
            lastHost = world.State.IsResident ? lastHost : world;
        }
        return (buffer.ToArray(), last!, lastHost);
    }

    // A snapshot of the world starts a new journal segment; snapshots beyond SnapshotHistory go, with their segments.
    private async Task SnapshotAsync(WorldAtTick world)
    {
        var started = time.GetTimestamp();
        var hash = await PutSnapshotAsync(world);
        List<SnapshotRef> dropped = [];
        await OneHeadWriteAtATime(async () =>
        {
            var kept = Head!.Snapshots.TakeLast(Math.Max(1, options.SnapshotHistory - 1)).ToList();
            dropped = Head.Snapshots.Except(kept).ToList();
            await WriteHeadAsync(Head with { Snapshots = [.. kept, new SnapshotRef(world.Tick, hash, NewSegment(world.Tick))] },
                $"the journal still holds tick {world.Tick}");
        });
        _journalLength = 0;
        metrics.SnapshotSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
        foreach (var old in dropped)
        {
            try
            {
                await store.DeleteJournalAsync(worldId, old.Segment);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "World {WorldId}: could not delete old journal segment {Segment}", worldId, old.Segment);
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="bans"/> to the head (dropping bans that have run out) and makes them durable before returning;
    /// a world at <paramref name="maxBans"/> live bans refuses more (<see cref="WorldErrorKind.Conflict"/>).
    /// </summary>
    public Task BanAsync(IReadOnlyList<WorldBan> bans, int maxBans) => OneHeadWriteAtATime(async () =>
    {
        var now = time.GetUtcNow();
        var live = (Head!.Bans ?? []).Where(b => b.Until > now && !bans.Any(n => n.Subject == b.Subject)).ToList();
        if (live.Count + bans.Count > maxBans)
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' holds {live.Count} bans, the most it keeps is {maxBans}");
        }
        await WriteHeadAsync(Head with { Bans = [.. live, .. bans] }, "the ban is not stored");
    });

    // Runs one head replacement after the one before it has finished (both run on the owner's scheduler, one at a time).
    private async Task OneHeadWriteAtATime(Func<Task> write)
    {
        var before = _headWrite;
        var done = new TaskCompletionSource();
        _headWrite = done.Task;
        try
        {
            await before;
            await write();
        }
        finally
        {
            done.SetResult();
        }
    }

    // Replaces the head conditionally on the ETag last seen; a conflict makes this history stale.
    private async Task WriteHeadAsync(WorldHead head, string consequence)
    {
        try
        {
            _headETag = await store.WriteHeadAsync(worldId, WorldHeadCodec.Encode(head), _headETag);
        }
        catch (WorldStoreConflictException e)
        {
            throw Stale(e);
        }
        catch (Exception e) when (e is not WorldRequestException and not ArgumentException)
        {
            metrics.StorageErrors.WithLabels("head").Inc();
            logger.LogWarning(e, "World {WorldId}: head write failed; {Consequence}", worldId, consequence);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{worldId}' could not store its head; retry");
        }
        Head = head;
    }

    private async Task<string> PutSnapshotAsync(WorldAtTick world)
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
            logger.LogWarning(e, "World {WorldId}: snapshot write failed", worldId);
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{worldId}' could not store its snapshot; retry");
        }
        return hash;
    }

    private WorldRequestException Stale(WorldStoreConflictException e)
    {
        // Someone else wrote this world: this history is stale. Never overwrite; step aside.
        metrics.StorageErrors.WithLabels("conflict").Inc();
        logger.LogWarning(e, "World {WorldId}: conditional write rejected; deactivating this stale activation", worldId);
        IsStale = true;
        onStale();
        return new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' was written by another activation; retry to reload it");
    }

    private static string NewSegment(long tick) =>
        $"{tick:D12}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}
