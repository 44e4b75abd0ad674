using WorldCluster.Silo.Sessions;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>A subscriber that stops reading is cut off; the world's feed never waits for it.</summary>
public sealed class SessionFramesTests
{
    [Fact]
    public async Task A_full_subscription_ends_with_a_slow_subscriber_error_and_offering_never_blocks()
    {
        var subscription = new SessionFrames(capacity: 3, _ => { });

        // Offer is synchronous: the feed hands every frame over at once, whether or not anyone reads.
        for (var tick = 1; tick <= 10; tick++)
        {
            subscription.Offer(new EncodedFrame(tick, [(byte)tick]));
        }

        var received = new List<long>();
        var error = await Assert.ThrowsAsync<SlowSubscriberException>(async () =>
        {
            await foreach (var item in subscription.Frames.ReadAllAsync())
            {
                received.Add(item.Tick);
            }
        });
        Assert.Equal([1L, 2L, 3L], received);
        Assert.Contains("4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscriber_that_keeps_up_gets_every_tick_in_order_once()
    {
        var subscription = new SessionFrames(capacity: 2, _ => { });

        var received = new List<long>();
        foreach (var tick in new long[] { 1, 2, 2, 1, 3 })
        {
            subscription.Offer(new EncodedFrame(tick, []));
            while (subscription.Frames.TryRead(out var item))
            {
                received.Add(item.Tick);
            }
        }
        subscription.Dispose();

        Assert.Equal([1L, 2L, 3L], received);
        Assert.False(await subscription.Frames.WaitToReadAsync());
    }

    [Fact]
    public async Task A_stream_viewer_that_stops_reading_skips_to_the_next_keyframe_that_fits_and_counts_what_it_dropped()
    {
        var droppedCalls = 0;
        var subscription = new SessionFrames(capacity: 3, _ => { }, dropToKeyframe: true, onDropped: () => droppedCalls++);

        // Keyframes every 4 ticks; a new viewer takes nothing before its first keyframe (tick 4 here).
        for (var tick = 1; tick <= 12; tick++)
        {
            subscription.Offer(new EncodedFrame(tick, [], Keyframe: tick % 4 == 0));
        }
        var queued = Drain(subscription);
        // 4 5 6 fill it; 7 does not fit, so 7 and everything up to the next keyframe that fits is dropped (8 and 12 did not fit).
        Assert.Equal([4L, 5L, 6L], queued);
        for (var tick = 13; tick <= 17; tick++)
        {
            subscription.Offer(new EncodedFrame(tick, [], Keyframe: tick % 4 == 0));
        }

        Assert.Equal([16L, 17L], Drain(subscription));
        Assert.Equal(9, subscription.Dropped);
        Assert.Equal(9, droppedCalls);
        // Never cut off: the reader is still open.
        Assert.False(subscription.Frames.Completion.IsCompleted);
        subscription.Dispose();
        Assert.False(await subscription.Frames.WaitToReadAsync());
    }

    private static List<long> Drain(SessionFrames subscription)
    {
        var ticks = new List<long>();
        while (subscription.Frames.TryRead(out var item))
        {
            ticks.Add(item.Tick);
        }
        return ticks;
    }
}
