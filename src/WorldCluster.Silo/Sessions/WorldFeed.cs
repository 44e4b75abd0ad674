using System.Text.Json;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Sessions.Streams;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// This silo's single subscription to one world: the world sends each frame update here once, and the feed encodes it
/// once and hands it to every local subscriber, in tick order. A gap (a lost or reordered message, or a missed stretch
/// while the world moved) is filled from the world's recent updates; one that cannot be filled is announced to every
/// viewer (<c>skipped</c>) rather than skipped silently. When the world's activation changes (it moved, or restarted
/// after its silo died) every session is told to check it is still a participant, and a world that came back at its
/// last durable tick, behind what was relayed, is announced (<c>resumed</c>) and relayed again from there. PNG
/// subscribers share one PNG per tick; other formats each have one <see cref="EncodedStream"/>, started with their first viewer.
/// </summary>
internal sealed class WorldFeed(string worldId, IGrainFactory grains, TimeProvider time, TimeSpan refresh, StreamEncoders encoders, ILogger logger)
    : IWorldObserver, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<SessionFrames> _subscribers = [];
    private readonly Dictionary<StreamFormat, EncodedStream> _streams = [];
    private readonly Dictionary<SessionFrames, StreamFormat> _viewers = [];
    private FrameUpdate? _latestUpdate;
    private readonly SortedDictionary<long, FrameUpdate> _pending = [];
    private readonly IWorldGrain _world = grains.GetGrain<IWorldGrain>(worldId);
    private IWorldObserver? _reference;
    private ITimer? _refreshTimer;
    private EncodedFrame? _latest;
    private long _lastTick = -1;
    private Guid _activation;
    private long _activationStart;
    private readonly HashSet<Guid> _retired = [];
    private int _repairing;

    /// <summary>Subscribes this silo to the world and takes its current frame.</summary>
    public async Task StartAsync()
    {
        _reference = grains.CreateObjectReference<IWorldObserver>(this);
        Accept(await _world.SubscribeAsync(_reference));
        _refreshTimer = time.CreateTimer(_ => _ = RefreshAsync(), null, refresh, refresh);
    }

    /// <summary>Adds a local subscriber of <paramref name="format"/>; it gets the current frame first (a keyframe).</summary>
    public void Add(SessionFrames subscription, StreamFormat format = StreamFormat.Png)
    {
        lock (_gate)
        {
            _viewers[subscription] = format;
            if (format != StreamFormat.Png)
            {
                if (!_streams.TryGetValue(format, out var stream))
                {
                    stream = encoders.Start(format);
                    _streams[format] = stream;
                    if (_latestUpdate is not null)
                    {
                        stream.Post(_latestUpdate);
                    }
                }
                stream.Add(subscription);
                return;
            }
            _subscribers.Add(subscription);
            if (_latest is null && _latestUpdate is not null)
            {
                _latest = new EncodedFrame(_latestUpdate.Tick, _latestUpdate.ToFrameMessage());
            }
            if (_latest is not null)
            {
                subscription.Offer(_latest);
            }
        }
    }

    /// <summary>Removes a local subscriber; returns how many remain, of every format.</summary>
    public int Remove(SessionFrames subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
            if (_viewers.Remove(subscription, out var format) && _streams.TryGetValue(format, out var stream))
            {
                stream.Remove(subscription);
                if (!_viewers.ContainsValue(format))
                {
                    // Its last viewer left: stop encoding that format (in the background, the feed goes on).
                    _streams.Remove(format);
                    _ = stream.DisposeAsync().AsTask();
                }
            }
            return _viewers.Count;
        }
    }

    /// <inheritdoc />
    public Task OnFrameAsync(FrameUpdate update)
    {
        Accept(update);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_refreshTimer is not null)
        {
            await _refreshTimer.DisposeAsync();
        }
        if (_reference is not null)
        {
            try
            {
                await _world.UnsubscribeAsync(_reference);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Unsubscribing from world {WorldId} failed; the world drops silent observers itself", worldId);
            }
            grains.DeleteObjectReference<IWorldObserver>(_reference);
        }
        List<EncodedStream> streams;
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.End(null);
            }
            _subscribers.Clear();
            _viewers.Clear();
            streams = [.. _streams.Values];
            _streams.Clear();
        }
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }

    private void Accept(FrameUpdate update)
    {
        var gap = false;
        List<SessionFrames>? moved = null;
        lock (_gate)
        {
            if (update.Activation != _activation && update.Activation != Guid.Empty)
            {
                if (_retired.Contains(update.Activation))
                {
                    // A late message from an activation that has since been replaced: the ticks before the one its
                    // successor started from are history both share (it drained them before moving, or they were durable
                    // when it died), so they may still fill a gap; later ones belong to a timeline that no longer exists.
                    if (update.Tick >= _activationStart)
                    {
                        return;
                    }
                }
                else
                {
                    if (_activation != Guid.Empty)
                    {
                        // The world moved or restarted: every session checks it is still a participant, and a world that
                        // restarted from storage behind what was relayed goes back to the tick it started from.
                        RetireLocked(_activation);
                        moved = [.. _viewers.Keys];
                        if (update.StartTick < _lastTick)
                        {
                            RewindLocked(update.StartTick);
                        }
                    }
                    _activation = update.Activation;
                    _activationStart = update.StartTick;
                }
            }
            if (update.Tick > _lastTick)
            {
                if (_lastTick >= 0 && update.Tick > _lastTick + 1)
                {
                    _pending[update.Tick] = update;
                    gap = true;
                }
                else
                {
                    DeliverLocked(update);
                    DrainLocked();
                }
            }
        }
        foreach (var session in moved ?? [])
        {
            session.SignalMoved();
        }
        if (gap)
        {
            _ = RepairAsync();
        }
    }

    private void RetireLocked(Guid activation)
    {
        // Bounded: only the last few activations can still have messages on the way.
        if (_retired.Count >= 16)
        {
            _retired.Clear();
        }
        _retired.Add(activation);
    }

    // The frames after tick that were relayed were never durable: the world's new activation replaces them.
    private void RewindLocked(long tick)
    {
        var discarded = _lastTick - tick;
        logger.LogWarning("World {WorldId} resumed from storage at tick {Tick}: {Discarded} tick(s) relayed after it were not durable and are replaced",
            worldId, tick, discarded);
        var notice = Notice(new SessionResumed(tick, discarded));
        foreach (var viewer in _viewers.Keys)
        {
            viewer.Rewind(tick, notice);
        }
        _pending.Clear();
        _latest = null;
        _lastTick = tick - 1;
    }

    private static byte[] Notice<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, ApiJson.Options);

    private async Task RepairAsync()
    {
        if (Interlocked.Exchange(ref _repairing, 1) == 1)
        {
            return;
        }
        try
        {
            long after;
            lock (_gate)
            {
                after = _lastTick;
            }
            var missing = await _world.GetUpdatesAfterAsync(after);
            lock (_gate)
            {
                foreach (var update in missing.Where(u => u.Tick > _lastTick).OrderBy(u => u.Tick))
                {
                    _pending[update.Tick] = update;
                }
                DrainLocked();
                if (_pending.Count > 0)
                {
                    // The world no longer has the ticks between: tell every viewer, then go on from what is there.
                    var first = _pending.Keys.First();
                    logger.LogWarning("World {WorldId}: ticks {From}..{To} are gone; {Count} viewer(s) told and moved on", worldId, _lastTick + 1, first - 1, _viewers.Count);
                    var notice = Notice(new SessionSkipped(_lastTick + 1, first - 1));
                    foreach (var viewer in _viewers.Keys)
                    {
                        viewer.Notify(notice);
                    }
                    _lastTick = first - 1;
                    DrainLocked();
                }
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "World {WorldId}: could not fetch missing frames", worldId);
        }
        finally
        {
            Volatile.Write(ref _repairing, 0);
        }
    }

    /// <summary>Renews this silo's subscription now (it also registers with a new activation of the world); never throws.</summary>
    public async Task RefreshAsync()
    {
        try
        {
            // Also re-registers us with a new activation of the world after it moved or restarted.
            Accept(await _world.SubscribeAsync(_reference!));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "World {WorldId}: refreshing the frame subscription failed", worldId);
        }
    }

    private void DrainLocked()
    {
        while (_pending.Count > 0 && _pending.Keys.First() == _lastTick + 1)
        {
            var next = _pending.Keys.First();
            var update = _pending[next];
            _pending.Remove(next);
            DeliverLocked(update);
        }
        foreach (var stale in _pending.Keys.Where(t => t <= _lastTick).ToList())
        {
            _pending.Remove(stale);
        }
    }

    private void DeliverLocked(FrameUpdate update)
    {
        _latestUpdate = update;
        _lastTick = update.Tick;
        // PNG only when someone watches PNG: a world watched only as video costs no PNG encode.
        _latest = _subscribers.Count > 0 ? new EncodedFrame(update.Tick, update.ToFrameMessage()) : null;
        foreach (var s in _subscribers)
        {
            s.Offer(_latest!);
        }
        foreach (var stream in _streams.Values)
        {
            stream.Post(update);
        }
    }
}
