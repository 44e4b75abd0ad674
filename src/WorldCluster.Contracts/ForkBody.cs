namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/worlds/{id}/fork</c> (optional): the durable tick to fork at; the latest when absent.</summary>
public sealed record ForkBody(long? AtTick = null);
