namespace WorldCluster.Contracts;

/// <summary>One page of <c>GET /api/worlds</c>: world ids in order, and the cursor of the next page (null on the last).</summary>
/// <param name="Worlds">World ids on this page.</param>
/// <param name="Next">Pass as <c>after</c> to get the next page; null when this is the last.</param>
public sealed record WorldPage(IReadOnlyList<string> Worlds, string? Next);
