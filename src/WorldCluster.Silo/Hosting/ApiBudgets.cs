using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// The per-principal request budgets of <c>/api</c>, shared by the rate-limit middleware (one permit per HTTP request) and
/// the agent plane (one permit per message), so a token has one budget whichever way it steps.
/// </summary>
public sealed class ApiBudgets(RateLimitOptions limits, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RateLimiter> _budgets = new(StringComparer.Ordinal);

    /// <summary>The limits the budgets count.</summary>
    public RateLimitOptions Limits => limits;

    /// <summary>The budget of partition <paramref name="key"/> (see <see cref="GatewayHostingExtensions.Partition"/>).</summary>
    public RateLimiter For(string key, int permits) => _budgets.GetOrAdd(key, _ => new ClockWindowLimiter(permits, limits.Window, time));
}
