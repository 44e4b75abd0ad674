using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using WorldCluster.Silo.Api;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// A quota on new worlds (creates and forks) per principal and window (<see cref="RateLimitOptions.CreatePermitLimit"/>,
/// <see cref="RateLimitOptions.CreateWindow"/>), counted by each gateway, on top of the API's request budget.
/// </summary>
public sealed class WorldCreationQuota(RateLimitOptions limits, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ClockWindowLimiter> _principals = new();

    /// <summary>An endpoint filter that answers <c>429</c> with <c>Retry-After</c> once the caller's quota is spent.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var quota = http.RequestServices.GetRequiredService<WorldCreationQuota>();
        return quota.TryTake(http) is { } refused ? refused : await next(context);
    }

    // Null when the caller may go on; otherwise the 429 that says when its window ends.
    private IResult? TryTake(HttpContext http)
    {
        var principal = $"{http.User.FindFirst("iss")?.Value}:{http.User.FindFirst("sub")?.Value}";
        var limiter = _principals.GetOrAdd(principal, _ => new ClockWindowLimiter(limits.CreatePermitLimit, limits.CreateWindow, time));
        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return null;
        }
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        return Problems.Create(StatusCodes.Status429TooManyRequests, "World quota spent",
            $"this principal may create or fork {limits.CreatePermitLimit} worlds per {limits.CreateWindow.TotalSeconds:0} s; retry after the Retry-After seconds");
    }
}
