using Microsoft.Extensions.Logging;
using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// The world's side of the frame fan-out: sends each frame update once to every silo observing the world (each silo's
/// <c>WorldFeed</c> then hands it to its own sessions) and keeps the recent updates so a silo that missed one can ask for it.
/// </summary>
internal sealed class SiloFanOut(TimeProvider time, TimeSpan expiry, int capacity, ILogger logger)
{
    private readonly Dictionary<IWorldObserver, DateTimeOffset> _observers = [];
    private readonly LinkedList<FrameUpdate> _recent = new();

    /// <summary>Observers currently subscribed.</summary>
    public int ObserverCount => _observers.Count;

    /// <summary>The observers subscribed, for a migrating activation to hand over.</summary>
    public IWorldObserver[] Observers => [.. _observers.Keys];

    /// <summary>The newest update, if any.</summary>
    public FrameUpdate? Latest => _recent.Last?.Value;

    /// <summary>Adds or refreshes an observer.</summary>
    public void Subscribe(IWorldObserver observer) => _observers[observer] = time.GetUtcNow();

    /// <summary>Removes an observer.</summary>
    public void Unsubscribe(IWorldObserver observer) => _observers.Remove(observer);

    /// <summary>Remembers an update without sending it (the state a world starts from).</summary>
    public void Remember(FrameUpdate update)
    {
        _recent.AddLast(update);
        // Nobody to fill gaps for: keep only the newest, so unwatched worlds hold one frame, not a buffer of them.
        var keep = _observers.Count == 0 ? 1 : capacity;
        while (_recent.Count > keep)
        {
            _recent.RemoveFirst();
        }
    }

    /// <summary>Remembers an update and sends it to every live observer.</summary>
    /// <returns>How many observers it was sent to.</returns>
    public int Publish(FrameUpdate update)
    {
        Remember(update);
        var cutoff = time.GetUtcNow() - expiry;
        foreach (var stale in _observers.Where(kv => kv.Value < cutoff).Select(kv => kv.Key).ToList())
        {
            _observers.Remove(stale);
        }
        foreach (var observer in _observers.Keys)
        {
            try
            {
                // One-way: a slow or gone silo never holds up the world's ticks.
                _ = observer.OnFrameAsync(update);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not send tick {Tick} of world {WorldId} to an observer", update.Tick, update.WorldId);
            }
        }
        return _observers.Count;
    }

    /// <summary>The remembered updates after <paramref name="tick"/>, oldest first.</summary>
    public IReadOnlyList<FrameUpdate> After(long tick) => [.. _recent.Where(u => u.Tick > tick)];
}
