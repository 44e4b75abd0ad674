namespace WorldCluster.Runtime.Storage;

/// <summary>
/// How long to wait before the next try of a storage write that keeps failing: exponential (doubling from
/// <see cref="BaseDelay"/> up to <see cref="MaxDelay"/>) with "equal jitter", so the hundreds of worlds of one silo
/// that lost storage together do not retry together when it comes back.
/// </summary>
/// <param name="BaseDelay">The ceiling of the first wait.</param>
/// <param name="MaxDelay">The largest ceiling any wait reaches.</param>
public sealed record StorageBackoff(TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>The wait before try <paramref name="failures"/> + 1: between half and all of min(max, base·2^(failures−1)).</summary>
    public TimeSpan Delay(int failures, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        // Half fixed, half random: never a zero wait (a busy retry loop), never all worlds in step.
        return TimeSpan.FromMilliseconds((ceiling / 2) + (random.NextDouble() * ceiling / 2));
    }
}
