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
}
