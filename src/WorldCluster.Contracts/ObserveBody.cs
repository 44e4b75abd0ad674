namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/observations</c>: the worlds to observe without stepping them.</summary>
/// <param name="Worlds">World ids, each at most once (1..<see cref="BatchLimits.MaxWorlds"/>).</param>
/// <param name="Frames"><c>raw</c> (default), <c>png</c> or <c>none</c>; see <see cref="FrameEncoding"/>.</param>
public sealed record ObserveBody(string[] Worlds, string? Frames = null);
