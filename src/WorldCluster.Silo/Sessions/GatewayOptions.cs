namespace WorldCluster.Silo.Sessions;

/// <summary>How the gateway keeps sessions and world feeds alive (section <c>WorldCluster:Gateway</c>).</summary>
/// <remarks>
/// These are the gateway's own timings. They must stay inside the model silos' <c>WorldCluster:Worlds</c> limits
/// (<c>SessionTimeout</c>, <c>ObserverExpiry</c>): a silo that is both checks that at start; a gateway-only silo cannot
/// see the model silos' settings, so keep the two sections consistent across the cluster (docs/sessions.md).
/// </remarks>
public sealed class GatewayOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Gateway";

    /// <summary>How often an open session tells its world it is still there (well inside the world's session timeout).</summary>
    public TimeSpan SessionKeepAlive { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a silo renews its subscription to each world it relays (well inside the world's observer expiry).</summary>
    public TimeSpan FeedRefresh { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>Frame messages a session may have queued before it is cut off as too slow.</summary>
    public int SessionFrameCapacity { get; set; } = 64;

    /// <summary>JPEG and WebP quality of encoded session frames, 1 (smallest) to 100 (best).</summary>
    public int ImageQuality { get; set; } = 80;

    /// <summary>Target bitrate of VP8/VP9 session streams, in kilobits per second.</summary>
    public int VideoBitrateKbps { get; set; } = 1000;

    /// <summary>Frames between the keyframes of a video stream; a viewer that fell behind resumes at the next one.</summary>
    public int KeyframeInterval { get; set; } = 40;

    /// <summary>The ffmpeg executable that encodes video streams (Debian's, with libvpx; build/install-deps.sh installs it).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>
    /// Browser origins (e.g. <c>https://worlds.example.com</c>) besides the gateway's own that may open sessions; a session
    /// upgrade with any other <c>Origin</c> is refused (clients that send none, like the .NET client, are not browsers and pass).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the key of a setting the gateway cannot run with.</summary>
    public void Validate()
    {
        if (SessionKeepAlive <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:SessionKeepAlive must be positive, not {SessionKeepAlive}");
        }
        if (FeedRefresh <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:FeedRefresh must be positive, not {FeedRefresh}");
        }
        if (SessionFrameCapacity < 1)
        {
            throw new InvalidOperationException($"{SectionName}:SessionFrameCapacity must be at least 1, not {SessionFrameCapacity}");
        }
        if (ImageQuality is < 1 or > 100)
        {
            throw new InvalidOperationException($"{SectionName}:ImageQuality must be 1 to 100, not {ImageQuality}");
        }
        if (VideoBitrateKbps < 1)
        {
            throw new InvalidOperationException($"{SectionName}:VideoBitrateKbps must be at least 1, not {VideoBitrateKbps}");
        }
        if (KeyframeInterval < 1)
        {
            throw new InvalidOperationException($"{SectionName}:KeyframeInterval must be at least 1, not {KeyframeInterval}");
        }
        if (string.IsNullOrWhiteSpace(FfmpegPath))
        {
            throw new InvalidOperationException($"{SectionName}:FfmpegPath must be the ffmpeg executable to run");
        }
    }

    /// <summary>Throws when a silo that also hosts worlds would let its sessions or feeds lapse between renewals.</summary>
    public void ValidateAgainst(TimeSpan sessionTimeout, TimeSpan observerExpiry)
    {
        if (SessionKeepAlive >= sessionTimeout)
        {
            throw new InvalidOperationException(
                $"{SectionName}:SessionKeepAlive ({SessionKeepAlive}) must be shorter than WorldCluster:Worlds:SessionTimeout ({sessionTimeout})");
        }
        if (FeedRefresh >= observerExpiry)
        {
            throw new InvalidOperationException(
                $"{SectionName}:FeedRefresh ({FeedRefresh}) must be shorter than WorldCluster:Worlds:ObserverExpiry ({observerExpiry})");
        }
    }
}
