using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Sessions;
using WorldCluster.Silo.Sessions.Streams;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>
/// A silo's feed of one world across the world's moves and restarts: a world that came back from storage behind what was
/// relayed is announced and relayed again from its durable tick, a move is signalled without a notice, ticks the world no
/// longer has are announced as skipped, and no subscriber is ended by any of it.
/// </summary>
public sealed class WorldFeedTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();

    [Fact]
    public async Task A_world_that_restarted_behind_what_was_relayed_is_announced_and_relayed_again_from_its_durable_tick()
    {
        var world = FakeWorld.Create(Update(0, First));
        await using var feed = await Start(world);
        using var viewer = Subscribe(feed);
        var moved = viewer.Moved;
        for (var t = 1; t <= 10; t++)
        {
            await feed.OnFrameAsync(Update(t, First));
        }

        // The silo died after tick 10; the new activation recovered tick 7, the last durable one.
        await feed.OnFrameAsync(Update(7, Second, start: 7));
        await feed.OnFrameAsync(Update(8, Second, start: 7));
        // A late message of the dead activation changes nothing.
        await feed.OnFrameAsync(Update(11, First));
        await feed.OnFrameAsync(Update(9, Second, start: 7));

        var items = await Read(viewer, 15);
        Assert.Equal([.. Enumerable.Range(0, 11).Select(t => $"frame {t}"), "resumed 7 discarded 3", "frame 7", "frame 8", "frame 9"], items);
        Assert.True(moved.IsCompletedSuccessfully, "the session was not told that the world moved");
        Assert.False(viewer.Frames.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_world_that_moved_at_a_tick_boundary_is_signalled_to_its_sessions_without_a_notice()
    {
        var world = FakeWorld.Create(Update(0, First));
        await using var feed = await Start(world);
        using var viewer = Subscribe(feed);
        var moved = viewer.Moved;
        for (var t = 1; t <= 5; t++)
        {
            await feed.OnFrameAsync(Update(t, First));
        }
        Assert.False(moved.IsCompleted);

        // The new activation starts where the old one left (it drained before moving) and ticks on.
        await feed.OnFrameAsync(Update(5, Second, start: 5));
        await feed.OnFrameAsync(Update(6, Second, start: 5));

        Assert.Equal([.. Enumerable.Range(0, 7).Select(t => $"frame {t}")], await Read(viewer, 7));
        Assert.True(moved.IsCompletedSuccessfully);
        Assert.False(viewer.Moved.IsCompleted, "a fresh wait completes only at the next move");
    }

    [Fact]
    public async Task Frames_the_old_activation_sent_before_the_move_still_fill_the_gap_and_later_ones_are_dropped()
    {
        var world = FakeWorld.Create(Update(0, First));
        world.RecentGate = new TaskCompletionSource();
        await using var feed = await Start(world);
        using var viewer = Subscribe(feed);
        for (var t = 1; t <= 3; t++)
        {
            await feed.OnFrameAsync(Update(t, First));
        }

        // The new activation's first frame (tick 6) overtakes the old one's last two.
        world.Recent = [Update(6, Second, start: 6)];
        await feed.OnFrameAsync(Update(6, Second, start: 6));
        await feed.OnFrameAsync(Update(4, First));
        await feed.OnFrameAsync(Update(5, First));
        world.RecentGate.SetResult();
        // After the move, the old activation has nothing to say.
        await feed.OnFrameAsync(Update(7, First));
        await feed.OnFrameAsync(Update(7, Second, start: 6));

        Assert.Equal([.. Enumerable.Range(0, 8).Select(t => $"frame {t}")], await Read(viewer, 8));
        Assert.False(viewer.Frames.TryRead(out var extra), $"unexpected {extra}");
    }

    [Fact]
    public async Task A_restarted_world_first_seen_ahead_of_what_was_relayed_is_announced_from_its_start_tick()
    {
        var world = FakeWorld.Create(Update(0, First));
        await using var feed = await Start(world);
        using var viewer = Subscribe(feed);
        for (var t = 1; t <= 10; t++)
        {
            await feed.OnFrameAsync(Update(t, First));
        }

        // The new activation recovered tick 8 and ticked to 12 before this silo's subscription reached it: ticks 9 and 10
        // relayed here were replaced, and 8..11 of the new timeline are gone.
        world.Recent = [Update(12, Second, start: 8)];
        await feed.OnFrameAsync(Update(12, Second, start: 8));

        Assert.Equal([.. Enumerable.Range(0, 11).Select(t => $"frame {t}"), "resumed 8 discarded 2", "skipped 8..11", "frame 12"], await Read(viewer, 14));
    }

    [Fact]
    public async Task Ticks_the_world_no_longer_has_are_announced_as_skipped_and_the_session_goes_on()
    {
        var world = FakeWorld.Create(Update(0, First));
        await using var feed = await Start(world);
        using var viewer = Subscribe(feed);
        for (var t = 1; t <= 3; t++)
        {
            await feed.OnFrameAsync(Update(t, First));
        }

        // Ticks 4 and 5 never arrive and the world keeps only tick 6 now.
        world.Recent = [Update(6, First)];
        await feed.OnFrameAsync(Update(6, First));

        Assert.Equal(["frame 0", "frame 1", "frame 2", "frame 3", "skipped 4..5", "frame 6"], await Read(viewer, 6));
        await feed.OnFrameAsync(Update(7, First));
        Assert.Equal(["frame 7"], await Read(viewer, 1));
        Assert.False(viewer.Frames.Completion.IsCompleted);
    }

    private static async Task<WorldFeed> Start(FakeWorld world)
    {
        var options = Options.Create(new GatewayOptions());
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        var encoders = new StreamEncoders(options, metrics, NullLoggerFactory.Instance);
        var feed = new WorldFeed("w-1", FakeGrains.Create(world), new FakeTimeProvider(), TimeSpan.FromSeconds(2.5), encoders, NullLogger.Instance);
        await feed.StartAsync();
        return feed;
    }

    private static SessionFrames Subscribe(WorldFeed feed)
    {
        var viewer = new SessionFrames(64, _ => { });
        feed.Add(viewer);
        return viewer;
    }

    // Reads the next count items (frames by tick, notices by their content), waiting for each with a deadline.
    private static async Task<List<string>> Read(SessionFrames viewer, int count)
    {
        var items = new List<string>();
        using var timeout = new CancellationTokenSource(Deadline);
        while (items.Count < count)
        {
            var item = await viewer.Frames.ReadAsync(timeout.Token);
            if (!item.Text)
            {
                items.Add($"frame {item.Tick}");
                continue;
            }
            var notice = JsonDocument.Parse(item.Message).RootElement;
            items.Add(notice.GetProperty("type").GetString() switch
            {
                "resumed" => $"resumed {notice.GetProperty("tick").GetInt64()} discarded {notice.GetProperty("discarded").GetInt64()}",
                "skipped" => $"skipped {notice.GetProperty("from").GetInt64()}..{notice.GetProperty("to").GetInt64()}",
                var other => $"unexpected {other}",
            });
        }
        return items;
    }

    private static FrameUpdate Update(long tick, Guid activation, long start = 0) =>
        new("w-1", tick, $"digest-{tick}", tick, new WorldFrame(tick, 3, 2, 2, new byte[12]), [], activation, start);

    /// <summary>The parts of a world grain a feed calls: subscribe, unsubscribe and the recent updates.</summary>
    public class FakeWorld : DispatchProxy
    {
        /// <summary>What subscribing answers.</summary>
        public FrameUpdate Current { get; set; } = null!;

        /// <summary>What asking for missing updates answers.</summary>
        public IReadOnlyList<FrameUpdate> Recent { get; set; } = [];

        /// <summary>When set, asking for missing updates waits for it.</summary>
        public TaskCompletionSource? RecentGate { get; set; }

        /// <summary>The grain reference the feed gets.</summary>
        public IWorldGrain Grain { get; private set; } = null!;

        /// <summary>Creates a world whose subscription answers <paramref name="current"/>.</summary>
        public static FakeWorld Create(FrameUpdate current)
        {
            var grain = DispatchProxy.Create<IWorldGrain, FakeWorld>();
            var world = (FakeWorld)(object)grain;
            world.Current = current;
            world.Grain = grain;
            return world;
        }

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IWorldGrain.SubscribeAsync) => Task.FromResult(Current),
            nameof(IWorldGrain.UnsubscribeAsync) => Task.CompletedTask,
            nameof(IWorldGrain.GetUpdatesAfterAsync) => RecentGate is { } gate ? gate.Task.ContinueWith(_ => Recent, TaskScheduler.Default) : Task.FromResult(Recent),
            var name => throw new NotSupportedException($"the feed called {name}"),
        };
    }

    /// <summary>A grain factory that hands out one fake world and uses observers as their own references.</summary>
    public class FakeGrains : DispatchProxy
    {
        private FakeWorld _world = null!;

        /// <summary>Creates the factory.</summary>
        public static IGrainFactory Create(FakeWorld world)
        {
            var grains = DispatchProxy.Create<IGrainFactory, FakeGrains>();
            ((FakeGrains)(object)grains)._world = world;
            return grains;
        }

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IGrainFactory.GetGrain) => _world.Grain,
            nameof(IGrainFactory.CreateObjectReference) => args![0],
            nameof(IGrainFactory.DeleteObjectReference) => null,
            var name => throw new NotSupportedException($"the feed called {name}"),
        };
    }
}
