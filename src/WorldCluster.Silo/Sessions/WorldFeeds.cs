using Microsoft.Extensions.Options;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Sessions.Streams;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// This silo's world feeds: one <see cref="WorldFeed"/> per watched world, shared by every local session, so a world
/// sends one message per silo per tick, not one per viewer, and each format is encoded once per silo per tick. Each
/// session reads its own <see cref="SessionFrames"/>.
/// </summary>
public sealed class WorldFeeds(
    IGrainFactory grains, TimeProvider time, IOptions<GatewayOptions> options, StreamEncoders encoders, WorldClusterMetrics metrics, ILoggerFactory loggers)
    : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<WorldFeed>> _feeds = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<WorldFeeds>();

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

    /// <summary>Subscribes to a world's frames on this silo in <paramref name="format"/>; the first message is the current frame, a keyframe.</summary>
    public async Task<SessionFrames> SubscribeAsync(string worldId, StreamFormat format = StreamFormat.Png)
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
        var dropped = metrics.SessionFramesDropped.WithLabels(format.Name());
        var subscription = new SessionFrames(options.Value.SessionFrameCapacity, s => Release(worldId, feed, s),
            dropToKeyframe: format != StreamFormat.Png, onDropped: () => dropped.Inc())
        {
            Resubscribe = feed.RefreshAsync,
        };
        feed.Add(subscription, format);
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
        var feed = new WorldFeed(worldId, grains, time, options.Value.FeedRefresh, encoders, loggers.CreateLogger<WorldFeed>());
        await feed.StartAsync();
        return feed;
    }

    private void Release(string worldId, WorldFeed feed, SessionFrames subscription)
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
