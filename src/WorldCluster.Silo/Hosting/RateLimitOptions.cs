namespace WorldCluster.Silo.Hosting;

/// <summary>
/// Request limits on <c>/api</c> and session upgrades (section <c>WorldCluster:RateLimit</c>): one budget per authenticated
/// principal, and a smaller one per client address for requests without a valid token, so strangers cannot use up anyone's.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:RateLimit";

    /// <summary>Requests one principal (an admin, an invite, a participant) may make per window.</summary>
    public int PermitLimit { get; set; } = 60_000;

    /// <summary>Requests without a valid token one client address (after trusted proxies' forwarded headers) may make per window.</summary>
    public int AnonymousPermitLimit { get; set; } = 1_200;

    /// <summary>The window the limits count over; windows are aligned to the clock (a minute window ends on the minute).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Worlds one principal may create or fork per <see cref="CreateWindow"/> (counted per gateway).</summary>
    public int CreatePermitLimit { get; set; } = 25_000;

    /// <summary>The window the world quota counts over, aligned to the clock.</summary>
    public TimeSpan CreateWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws when a limit or a window is not positive.</summary>
    public void Validate()
    {
        if (PermitLimit < 1 || AnonymousPermitLimit < 1 || CreatePermitLimit < 1 || Window < TimeSpan.FromSeconds(1) || CreateWindow < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException(
                $"{SectionName}: PermitLimit, AnonymousPermitLimit and CreatePermitLimit must be at least 1, Window and CreateWindow at least 00:00:01");
        }
    }
}
