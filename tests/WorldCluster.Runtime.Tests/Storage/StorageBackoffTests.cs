using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

public sealed class StorageBackoffTests
{
    private static readonly StorageBackoff Backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(5, 3200)]
    [InlineData(6, 5000)]
    [InlineData(40, 5000)]
    public void Each_wait_lies_between_half_and_all_of_the_doubling_capped_ceiling(int failures, double ceilingMs)
    {
        var random = new Random(failures);
        var waits = Enumerable.Range(0, 500).Select(_ => Backoff.Delay(failures, random).TotalMilliseconds).ToList();

        Assert.All(waits, w => Assert.InRange(w, ceilingMs / 2, ceilingMs));
        // Jittered: the worlds of one silo do not all wait the same.
        Assert.True(waits.Max() - waits.Min() > ceilingMs / 4, $"waits spread only {waits.Min()}..{waits.Max()} ms");
    }

    [Fact]
    public void A_failure_count_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(0, new Random(1)));
}
