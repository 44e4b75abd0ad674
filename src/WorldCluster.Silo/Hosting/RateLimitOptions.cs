namespace WorldCluster.Silo.Hosting;

/// <summary>Per-client request limits on <c>/api</c> (section <c>WorldCluster:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:RateLimit";

    /// <summary>Requests one client address may make per window.</summary>
    public int PermitLimit { get; set; } = 60_000;

    /// <summary>The window the limit counts over.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
