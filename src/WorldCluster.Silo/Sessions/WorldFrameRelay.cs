using Microsoft.Extensions.Options;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// Fans worlds' frames out on this silo: one <see cref="WorldFeed"/> per watched world, shared by every local subscriber,
/// so a world sends one message per silo per tick, not one per viewer.
/// </summary>
public sealed class WorldFrameRelay(IGrainFactory grains, TimeProvider time, IOptions<WorldOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<WorldFeed>> _feeds = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<WorldFrameRelay>();

    /// <summary>Frame messages a subscriber may have queued before it is cut off as too slow.</summary>
    public int SubscriberCapacity { get; init; } = 64;

    /// <summary>Worlds this silo is subscribed to.</summary>
    public int FeedCount
    {
        get
        {
            lock (_gate)
            {
                return _feeds.Count;
            }
        }
    }

    /// <summary>Subscribes to a world's frames on this silo; the first message is the current frame.</summary>
    public async Task<FrameSubscription> SubscribeAsync(string worldId)
    {
        Task<WorldFeed> starting;
        lock (_gate)
        {
            if (!_feeds.TryGetValue(worldId, out starting!))
            {
                starting = StartFeed(worldId);
                _feeds[worldId] = starting;
            }
        }
        WorldFeed feed;
        try
        {
            feed = await starting;
        }
        catch
        {
            lock (_gate)
            {
                if (_feeds.TryGetValue(worldId, out var current) && current == starting)
                {
                    _feeds.Remove(worldId);
                }
            }
            throw;
        }
        var subscription = new FrameSubscription(SubscriberCapacity, s => Release(worldId, feed, s));
        feed.Add(subscription);
        return subscription;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<Task<WorldFeed>> feeds;
        lock (_gate)
        {
            feeds = [.. _feeds.Values];
            _feeds.Clear();
        }
        foreach (var feed in feeds.Where(f => f.IsCompletedSuccessfully))
        {
            await feed.Result.DisposeAsync();
        }
    }

    private async Task<WorldFeed> StartFeed(string worldId)
    {
        // Refresh well inside the world's observer expiry and its frame buffer.
        var refresh = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, options.Value.ObserverExpiry.Ticks / 6));
        var feed = new WorldFeed(worldId, grains, time, refresh, loggers.CreateLogger<WorldFeed>());
        await feed.StartAsync();
        return feed;
    }

    private void Release(string worldId, WorldFeed feed, FrameSubscription subscription)
    {
        if (feed.Remove(subscription) > 0)
        {
            return;
        }
        lock (_gate)
        {
            if (_feeds.TryGetValue(worldId, out var current) && current.IsCompletedSuccessfully && current.Result == feed && feed.Remove(subscription) == 0)
            {
                _feeds.Remove(worldId);
            }
            else
            {
                return;
            }
        }
        _ = feed.DisposeAsync().AsTask().ContinueWith(
            t => _logger.LogDebug(t.Exception, "Closing the feed of world {WorldId} failed", worldId), TaskContinuationOptions.OnlyOnFaulted);
    }
}
