
namespace WorldCluster.Benchmarks.Tests;

public sealed class StepProfileTests
{
    private static readonly LimitPoint[] Limit =
    [
        new(1, 100, 4.0, 250),
        new(8, 100, 8.0, 1000),
        new(16, 100, 12.0, 1333),
    ];

    [Fact]
    public void A_served_step_splits_into_forward_batcher_and_cluster_that_add_up_to_its_wall_time()
    {
        // 800 steps/s: 1,250 µs per step; 10 worlds per call, 9 ms of 10 ms forward: 900 µs forward, 100 µs batcher.
        var served = new ServedPoint(16, 2400, 800, 10, 10, 9, 1, 0.5, 0.6, 0.72);

        var profile = StepProfile.Of(served, Limit)!;

        Assert.Equal(1250, profile.MicrosPerStep);
        Assert.Equal(900, profile.ForwardMicros);
        Assert.Equal(100, profile.BatcherMicros);
        Assert.Equal(250, profile.ClusterMicros);
        Assert.Equal(0.72, profile.ModelBusy);
        // A mean batch of 10 lies between (a)'s batch sizes 8 (1,000 µs per world) and 16 (750 µs per world).
        Assert.Equal(750, profile.LimitMicrosLow);
        Assert.Equal(1000, profile.LimitMicrosHigh);
    }

    [Fact]
    public void A_mean_batch_at_a_measured_size_compares_with_that_size_alone()
    {
        var profile = StepProfile.Of(new ServedPoint(1, 100, 200, 1, 4.5, 4, 0, 0.5, 0, 0.8), Limit)!;

        Assert.Equal(4000, profile.LimitMicrosLow);
        Assert.Equal(4000, profile.LimitMicrosHigh);
    }

    [Fact]
    public void A_point_that_served_nothing_has_no_profile()
    {
        Assert.Null(StepProfile.Of(new ServedPoint(16, 0, 0, 0, 0, 0, 0, 0, 0, 0), Limit));
    }
}
