namespace WorldCluster.Silo.Api;

/// <summary>One page of <c>GET /api/worlds</c>: world ids in order, and the cursor of the next page (null on the last).</summary>
public sealed record WorldPage(IReadOnlyList<string> Worlds, string? Next);
