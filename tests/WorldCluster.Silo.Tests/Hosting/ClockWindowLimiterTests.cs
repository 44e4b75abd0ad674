using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Hosting;

public sealed class ClockWindowLimiterTests
{
    [Fact]
    public void A_refusal_says_when_the_clock_aligned_window_ends_and_the_next_window_has_a_fresh_budget()
    {
        // 13 s past a 10-second boundary of the epoch: this window ends in 7 s.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000_003));
        using var limiter = new ClockWindowLimiter(permitLimit: 2, TimeSpan.FromSeconds(10), time);

        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        using var refused = limiter.AttemptAcquire();

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(7), retryAfter);
        time.Advance(TimeSpan.FromSeconds(6.5));
        using var stillRefused = limiter.AttemptAcquire();
        Assert.True(stillRefused.TryGetMetadata(MetadataName.RetryAfter, out var rest));
        Assert.Equal(TimeSpan.FromSeconds(0.5), rest);
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_000_000_020), limiter.WindowEnd);
    }
}
