using System.Threading.RateLimiting;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// A fixed-window limiter whose windows are aligned to the clock (epoch multiples of the window), so a refusal's
/// <c>Retry-After</c> says exactly when the window ends. Time is the host's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class ClockWindowLimiter(int permitLimit, TimeSpan window, TimeProvider time) : RateLimiter
{
    private readonly Lock _lock = new();
    private long _window = -1;
    private int _used;
    private long _lastUsed = time.GetTimestamp();

    /// <summary>When the window now counting ends.</summary>
    public DateTimeOffset WindowEnd => DateTimeOffset.FromUnixTimeMilliseconds((Current() + 1) * (long)window.TotalMilliseconds);

    // Not idle while the current window holds counted permits: dropping the partition then would hand out a fresh budget.
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return _used > 0 && _window == Current() ? null : time.GetElapsedTime(_lastUsed);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = _window == Current() ? Math.Max(0, permitLimit - _used) : permitLimit };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            var current = Current();
            if (_window != current)
            {
                (_window, _used) = (current, 0);
            }
            _lastUsed = time.GetTimestamp();
            if (_used + permitCount <= permitLimit)
            {
                _used += permitCount;
                return Lease.Acquired;
            }
            var retryAfter = DateTimeOffset.FromUnixTimeMilliseconds((current + 1) * (long)window.TotalMilliseconds) - time.GetUtcNow();
            return new Lease(false, retryAfter);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private long Current() => time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;

    private sealed class Lease(bool acquired, TimeSpan retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, TimeSpan.Zero);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => acquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !acquired && metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
